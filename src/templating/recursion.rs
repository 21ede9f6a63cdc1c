//! Template recursion is an error naming the template, not a crash.
//!
//! Tera has no depth limit: a template that includes itself, or a macro
//! that never stops calling itself, overflows the thread's stack, which
//! aborts the whole process. So every template and macro body gets a call
//! to a guard function as its first node, and the guard measures how much
//! stack the render has used since it began ([`render`] records where);
//! past [`STACK_BUDGET`] it fails the render with the template's name.

use std::cell::Cell;
use std::collections::HashMap;

use tera::ast::{Expr, ExprVal, FunctionCall, Node, WS};
use tera::{Context, Tera, Value};

/// The guard's name in Tera; not one a template author would use.
const GUARD: &str = "__grove_recursion_guard";

/// Stack a render may use, counted from where it began. Legitimate
/// templates nest a few dozen levels at most, far below this (over 300
/// levels of a recursive macro fit); threads have 2 MiB stacks at least.
pub const STACK_BUDGET: usize = 1 << 20;

thread_local! {
    /// Where the outermost render on this thread began (0: none running).
    static BASE: Cell<usize> = const { Cell::new(0) };
}

/// Renders `name` with `context`: Tera's render, with recursion measured
/// from here. Every render of an instrumented [`Tera`] goes through this.
pub fn render(tera: &Tera, name: &str, context: &Context) -> tera::Result<String> {
    let _base = StackBase::enter();
    tera.render(name, context)
}

/// Renders `name` with `context` into `write` as it goes, like [`render`].
pub fn render_to(
    tera: &Tera,
    name: &str,
    context: &Context,
    write: impl std::io::Write,
) -> tera::Result<()> {
    let _base = StackBase::enter();
    tera.render_to(name, context, write)
}

/// Marks the start of a render; the outermost one on a thread sets the base.
struct StackBase {
    outermost: bool,
}

impl StackBase {
    fn enter() -> StackBase {
        let outermost = BASE.with(|base| {
            let unset = base.get() == 0;
            if unset {
                base.set(stack_address());
            }
            unset
        });
        StackBase { outermost }
    }
}

impl Drop for StackBase {
    fn drop(&mut self) {
        if self.outermost {
            BASE.with(|base| base.set(0));
        }
    }
}

/// An address in the current stack frame.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Adds the guard to every template and macro of `tera` that lacks it.
/// Call it after adding templates, before rendering.
pub fn instrument(tera: &mut Tera) {
    tera.register_function(GUARD, guard);
    for (name, template) in &mut tera.templates {
        prepend_guard(&mut template.ast, name.clone());
        for (macro_name, definition) in &mut template.macros {
            prepend_guard(
                &mut definition.body,
                format!("{name}, macro `{macro_name}`"),
            );
        }
    }
}

fn prepend_guard(body: &mut Vec<Node>, at: String) {
    let guarded = matches!(
        body.first(),
        Some(Node::VariableBlock(_, Expr { val: ExprVal::FunctionCall(call), .. })) if call.name == GUARD
    );
    if guarded {
        return;
    }
    let args = HashMap::from([("at".to_string(), Expr::new(ExprVal::String(at)))]);
    let call = FunctionCall {
        name: GUARD.to_string(),
        args,
    };
    body.insert(
        0,
        Node::VariableBlock(WS::default(), Expr::new(ExprVal::FunctionCall(call))),
    );
}

/// Whether `text` is Tera's wrapper around the guard's own error, which
/// says nothing to the user.
pub fn is_guard_failure(text: &str) -> bool {
    text.starts_with(&format!("Function call '{GUARD}' failed"))
}

fn guard(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let base = BASE.with(Cell::get);
    let used = if base == 0 {
        0
    } else {
        base.abs_diff(stack_address())
    };
    if used > STACK_BUDGET {
        let at = args
            .get("at")
            .and_then(Value::as_str)
            .unwrap_or("a template");
        return Err(tera::Error::msg(format!(
            "{at} is nested too deeply (over {} KiB of stack): a template that includes itself, or a macro that calls itself without end",
            STACK_BUDGET / 1024
        )));
    }
    Ok(Value::String(String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut tera = Tera::default();
        tera.add_raw_templates(templates.to_vec()).unwrap();
        instrument(&mut tera);
        tera
    }

    #[test]
    fn endless_includes_and_macros_are_errors_naming_the_template() {
        let cases = [
            vec![("self.html", "x{% include \"self.html\" %}")],
            vec![
                ("a.html", "{% include \"b.html\" %}"),
                ("b.html", "{% include \"a.html\" %}"),
            ],
            vec![
                (
                    "m.html",
                    "{% macro loop(n) %}{{ self::loop(n=n + 1) }}{% endmacro loop %}",
                ),
                (
                    "page.html",
                    "{% import \"m.html\" as m %}{{ m::loop(n=0) }}",
                ),
            ],
        ];
        for templates in cases {
            let tera = tera(&templates);
            let name = templates.last().unwrap().0;
            let error = render(&tera, name, &Context::new()).unwrap_err();
            let mut text = String::new();
            let mut source: Option<&dyn std::error::Error> = Some(&error);
            while let Some(e) = source {
                text.push_str(&e.to_string());
                source = e.source();
            }
            assert!(text.contains("nested too deeply"), "{text}");
            assert!(text.contains(".html"), "{text}");
        }
    }

    #[test]
    fn deep_but_finite_recursion_renders() {
        let tera = tera(&[(
            "tree.html",
            "{% macro down(n) %}{% if n > 0 %}<{{ n }}>{{ self::down(n=n - 1) }}{% endif %}{% endmacro down %}{{ self::down(n=40) }}",
        )]);
        let html = render(&tera, "tree.html", &Context::new()).unwrap();
        assert!(
            html.starts_with("<40><39>") && html.ends_with("<1>"),
            "{html}"
        );
    }

    #[test]
    fn instrumenting_twice_adds_one_guard() {
        let mut tera = tera(&[("a.html", "a")]);
        instrument(&mut tera);
        assert_eq!(tera.templates["a.html"].ast.len(), 2);
    }
}
