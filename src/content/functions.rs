//! What content may call besides Tera's built-ins: shortcodes. Content
//! only knows this trait; the renderer implements it with the theme's
//! shortcode templates, so content does not depend on rendering.

use tera::Tera;

/// Functions registered on the Tera instance that expands a content file.
pub trait ContentFunctions: Sync {
    /// Registers every function on `tera`.
    fn register(&self, tera: &mut Tera);
}
