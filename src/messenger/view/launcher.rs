//! The default launcher: a round button in the bottom corner with the
//! unread count. Its accessible name carries the count ("Messages, 2
//! unread"); the visible badge is hidden from screen readers so the number
//! is not read twice.

use web_sys::Element;

use super::{attrs, button, el};
use crate::error::SdkResult;
use crate::messenger::strings::{fill, t, S};

/// The launcher button.
pub struct Launcher {
    /// The button.
    pub button: Element,
    badge: Element,
}

impl Launcher {
    /// Appends the launcher to `parent`.
    pub fn new(parent: &Element, locale: &str) -> SdkResult<Self> {
        let b = button(parent, "launcher", "", "launcher", "")?;
        attrs(
            &b,
            &[
                ("aria-label", t(locale, S::Messages)),
                ("aria-haspopup", "dialog"),
                ("aria-controls", "panel"),
                ("aria-expanded", "false"),
            ],
        )?;
        attrs(&el(&b, "span", "icon", None)?, &[("aria-hidden", "true")])?;
        let badge = el(&b, "span", "badge", None)?;
        attrs(&badge, &[("aria-hidden", "true"), ("hidden", "")])?;
        Ok(Self { button: b, badge })
    }

    /// Shows `n` unread messages (nothing for 0).
    pub fn set_unread(&self, n: u32, locale: &str) -> SdkResult<()> {
        let count = n.to_string();
        let label = if n == 0 {
            t(locale, S::Messages).to_owned()
        } else {
            [
                t(locale, S::Messages),
                ", ",
                &fill(locale, S::Unread, &count),
            ]
            .concat()
        };
        attrs(&self.button, &[("aria-label", &label)])?;
        self.badge
            .set_text_content(Some(if n > 99 { "99+" } else { &count }));
        let _ = self.badge.toggle_attribute_with_force("hidden", n == 0);
        Ok(())
    }

    /// Tells assistive technology whether the panel is open.
    pub fn set_expanded(&self, open: bool) -> SdkResult<()> {
        attrs(
            &self.button,
            &[("aria-expanded", if open { "true" } else { "false" })],
        )
    }
}
