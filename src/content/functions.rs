//! What content may call besides Tera's built-ins: shortcodes. Content
//! only knows this trait; the renderer implements it with the theme's
//! shortcode templates, so content does not depend on rendering.

use tera::Tera;

/// Functions registered on the Tera instance that expands a content file.
pub trait ContentFunctions: Sync {
    /// Registers every function on `tera`.
    fn register(&self, tera: &mut Tera);
}

thread_local! {
    /// Output of content functions while [`recording_output`] runs on
    /// this thread (Tera calls functions on the thread that renders).
    static RECORDED: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Records `html`, the output of a content function (a shortcode), when a
/// [`recording_output`] is under way on this thread.
pub fn record_output(html: &str) {
    RECORDED.with(|recorded| {
        if let Some(outputs) = recorded.borrow_mut().as_mut() {
            outputs.push(html.to_string());
        }
    });
}

/// Runs `expand` and returns its result with what content functions
/// returned meanwhile, in call order: the HTML a theme wrote into the text.
pub fn recording_output<R>(expand: impl FnOnce() -> R) -> (R, Vec<String>) {
    let previous = RECORDED.with(|recorded| recorded.replace(Some(Vec::new())));
    let result = expand();
    let outputs = RECORDED.with(|recorded| recorded.replace(previous));
    (result, outputs.unwrap_or_default())
}
