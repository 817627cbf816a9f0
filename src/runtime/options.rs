//! The options of `Beckon('boot', {...})` and the loader's defaults.

use beckon_core::json::FromJson;
use serde_json::{Map, Value};

/// Settings the loader read from its script tag, used when `boot` omits them.
#[derive(Debug, Default, Clone, FromJson)]
pub struct Defaults {
    /// Where the Beckon server is.
    #[serde(default)]
    pub api_base: Option<String>,
    /// The app to boot.
    #[serde(default)]
    pub app_id: Option<String>,
}

/// Where the messenger's launcher sits.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    /// Bottom left.
    Left,
    /// Bottom right.
    #[default]
    Right,
}

/// Colours the app overrides; any CSS colour.
#[derive(Debug, Default, Clone, PartialEq, FromJson)]
#[serde(deny_unknown_fields)]
pub struct ThemeOptions {
    /// Buttons and highlights.
    #[serde(default)]
    pub accent: Option<String>,
    /// Text on the accent colour.
    #[serde(default)]
    pub accent_text: Option<String>,
    /// Surfaces' background.
    #[serde(default)]
    pub background: Option<String>,
    /// Surfaces' text.
    #[serde(default)]
    pub text: Option<String>,
    /// Corner radius of buttons (`4px`).
    #[serde(default)]
    pub radius: Option<String>,
    /// Font family.
    #[serde(default)]
    pub font: Option<String>,
    /// Light or dark surfaces; by default they follow the page's
    /// `prefers-color-scheme`.
    #[serde(default)]
    pub mode: ThemeMode,
}

/// Light or dark surfaces.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, FromJson)]
#[serde(rename_all = "lowercase")]
pub enum ThemeMode {
    /// As the page's `prefers-color-scheme` says.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeOptions {
    /// The theme as what surfaces apply to their host element: the
    /// `--beckon-*` custom properties (the same ones an app may set in its
    /// own CSS) and the `data-theme` mode, if fixed.
    pub fn host_theme(&self) -> (Vec<(&'static str, String)>, Option<&'static str>) {
        let vars = [
            ("--beckon-accent", &self.accent),
            ("--beckon-accent-text", &self.accent_text),
            ("--beckon-background", &self.background),
            ("--beckon-text", &self.text),
            ("--beckon-radius", &self.radius),
            ("--beckon-font", &self.font),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.clone())))
        .collect();
        let mode = match self.mode {
            ThemeMode::Auto => None,
            ThemeMode::Light => Some("light"),
            ThemeMode::Dark => Some("dark"),
        };
        (vars, mode)
    }
}

/// The argument of `Beckon('boot', {...})`. Unknown keys are refused, so a
/// typo such as `userId` is a warning, not an anonymous boot.
#[derive(Debug, Default, Clone, PartialEq, FromJson)]
#[serde(deny_unknown_fields)]
pub struct BootOptions {
    /// The app's public id (or from the script tag's `data-app-id`).
    #[serde(default)]
    pub app_id: Option<String>,
    /// The app's id for this user; absent for anonymous visitors.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The user's email.
    #[serde(default)]
    pub email: Option<String>,
    /// Attributes rules can target; company attributes under `company`.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// HMAC of the user id, when the app verifies identity.
    #[serde(default)]
    pub user_hash: Option<String>,
    /// A signed JWT whose `sub` is the user id, the newer proof.
    #[serde(default)]
    pub user_jwt: Option<String>,
    /// Server address (or from `data-api-base`, else the page's origin).
    #[serde(default)]
    pub api_base: Option<String>,
    /// Locale for the SDK's own strings and content (default: the
    /// browser's).
    #[serde(default)]
    pub locale: Option<String>,
    /// Theme colours.
    #[serde(default)]
    pub theme: ThemeOptions,
    /// The messenger launcher's side.
    #[serde(default)]
    pub alignment: Alignment,
    /// Launcher distance from the side edge, px.
    #[serde(default)]
    pub horizontal_padding: Option<u32>,
    /// Launcher distance from the bottom edge, px.
    #[serde(default)]
    pub vertical_padding: Option<u32>,
    /// A selector of the app's own element that opens the messenger.
    #[serde(default)]
    pub launcher_selector: Option<String>,
    /// Hide the default launcher (the app opens the messenger itself).
    #[serde(default)]
    pub hide_default_launcher: bool,
    /// Stacking level of every Beckon surface.
    #[serde(default)]
    pub z_index: Option<i32>,
}

impl BootOptions {
    /// Whether `other` boots the same user the same way, whatever the
    /// attributes: a second boot like that is an update.
    pub fn same_but_attributes(&self, other: &BootOptions) -> bool {
        let strip = |o: &BootOptions| BootOptions {
            attributes: Map::new(),
            ..o.clone()
        };
        strip(self) == strip(other)
    }

    /// The keys `boot` accepts, for the unknown-key check at the JS edge.
    pub const FIELDS: &'static [&'static str] = &[
        "app_id",
        "user_id",
        "email",
        "attributes",
        "user_hash",
        "user_jwt",
        "api_base",
        "locale",
        "theme",
        "alignment",
        "horizontal_padding",
        "vertical_padding",
        "launcher_selector",
        "hide_default_launcher",
        "z_index",
    ];
}
