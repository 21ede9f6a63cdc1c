//! Live reload: the script injected into served HTML, and the signals the
//! watcher sends to browsers over Server-Sent Events.

use serde::Serialize;

/// The URL path of a site's event stream.
pub const EVENTS_PATH: &str = "/__grove/events";

/// What browsers are told after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Content changed: reload the page.
    Reload,
    /// Only stylesheets changed: swap them without reloading.
    Css,
    /// The build failed: show the message over the page.
    Error(String),
}

impl Signal {
    /// The SSE event name and data.
    pub fn event(&self) -> (&'static str, String) {
        #[derive(Serialize)]
        struct Message<'a> {
            message: &'a str,
        }
        match self {
            Signal::Reload => ("reload", "{}".into()),
            Signal::Css => ("css", "{}".into()),
            Signal::Error(message) => (
                "build-error",
                serde_json::to_string(&Message { message }).expect("strings serialize"),
            ),
        }
    }
}

/// The script injected before `</body>` of every served HTML page (never
/// into `grove build` output), listening at `events` (a URL path).
pub fn script(events: &str) -> String {
    SCRIPT.replace("EVENTS_PATH", events)
}

const SCRIPT: &str = r#"<script id="grove-live-reload">
(() => {
  const source = new EventSource("EVENTS_PATH");
  let overlay = null;
  const show = (message) => {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "grove-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(24,24,28,.95);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "Grove: the build failed\n\n" + message + "\n\nFix it and save: this page reloads by itself.";
  };
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("css", () => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("grove-reload", Date.now());
      link.href = url.href;
    }
  });
  source.addEventListener("build-error", (event) => show(JSON.parse(event.data).message));
})();
</script>
"#;
