//! Rich text in headless Chromium: Markdown becomes DOM nodes, and hostile
//! content (script, event handlers, `javascript:`/`data:` URLs, SVG, CSS,
//! very long words, RTL, emoji) stays text or is refused.
#![cfg(target_arch = "wasm32")]

use beckon::dom::document;
use beckon::ui::markdown::{is_safe_url, render_div};
use serde_json::{json, Map, Value};
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn attrs(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Renders into a div attached to the page (so layout and script would
/// really run if anything executable got through).
fn render(text: &str, a: &Map<String, Value>) -> Element {
    let doc = document().expect("document");
    let div = render_div(&doc, "md", text, a).expect("render");
    doc.body()
        .expect("body")
        .append_child(&div)
        .expect("append");
    div
}

fn all(root: &Element, sel: &str) -> u32 {
    root.query_selector_all(sel).expect("query").length()
}

fn no_attributes_but(root: &Element, allowed: &[&str]) {
    let nodes = root.query_selector_all("*").expect("query");
    for i in 0..nodes.length() {
        let el: Element = wasm_bindgen::JsCast::unchecked_into(nodes.get(i).expect("node"));
        let names = el.get_attribute_names();
        for j in 0..names.length() {
            let name = names.get(j).as_string().unwrap_or_default();
            assert!(
                allowed.contains(&name.as_str()),
                "unexpected attribute {name} on <{}>",
                el.tag_name()
            );
        }
    }
}

const SAFE_ATTRIBUTES: &[&str] = &[
    "dir",
    "href",
    "target",
    "rel",
    "src",
    "alt",
    "loading",
    "referrerpolicy",
    "start",
];

#[wasm_bindgen_test]
fn markdown_builds_the_expected_elements() {
    let md = "# Hi {{first_name|there}}\n\nSome **bold**, *em*, `code` and a [link](https://example.com/a).\nNext line.\n\n- one\n- two\n\n2. first\n3. second\n\n```\nlet x = 1;\n```\n\n![Logo](/logo.png)\n\n[Pricing](/pricing) [Mail](mailto:a@b.c)";
    let root = render(md, &attrs(json!({"first_name": "Ada"})));
    assert_eq!(
        root.query_selector("h3")
            .expect("q")
            .expect("h3")
            .text_content()
            .as_deref(),
        Some("Hi Ada")
    );
    assert_eq!(all(&root, "p strong"), 1);
    assert_eq!(all(&root, "p em"), 1);
    assert_eq!(all(&root, "p code"), 1);
    assert_eq!(all(&root, "p br"), 1);
    assert_eq!(all(&root, "ul > li"), 2);
    assert_eq!(all(&root, "ol[start='2'] > li"), 2);
    assert_eq!(all(&root, "pre[dir=ltr] > code"), 1);
    let ext = root
        .query_selector("a[href='https://example.com/a']")
        .expect("q")
        .expect("external link");
    assert_eq!(ext.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        ext.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    let rel = root
        .query_selector("a[href='/pricing']")
        .expect("q")
        .expect("relative link");
    assert_eq!(rel.get_attribute("target"), None, "same tab inside the app");
    assert_eq!(all(&root, "a[href^='mailto:']"), 1);
    let img = root.query_selector("img").expect("q").expect("img");
    assert_eq!(img.get_attribute("alt").as_deref(), Some("Logo"));
    assert_eq!(all(&root, "[dir=auto]"), 6);
    no_attributes_but(&root, SAFE_ATTRIBUTES);
    root.remove();
}

#[wasm_bindgen_test]
fn hostile_content_is_text_or_refused() {
    let hostile = [
        "<script>window.__pwned = 1</script>",
        "<img src=x onerror=\"window.__pwned=1\">",
        "<svg onload=\"window.__pwned=1\"><circle r=5/></svg>",
        "<style>*{display:none!important}</style>",
        "<a href=\"javascript:window.__pwned=1\">x</a>",
        "[click](javascript:window.__pwned=1)",
        "[click](JaVaScRiPt:window.__pwned=1)",
        "[click]( javascript:window.__pwned=1)",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox)",
        "![x](javascript:window.__pwned=1)",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "[x](https://ok.example \"t\" onmouseover=alert(1))",
        "{{first_name}}",
    ]
    .join("\n\n");
    let evil =
        attrs(json!({"first_name": "<img src=x onerror=window.__pwned=1> [y](javascript:z)"}));
    let root = render(&hostile, &evil);
    for sel in [
        "script", "svg", "style", "iframe", "object", "embed", "form",
    ] {
        assert_eq!(all(&root, sel), 0, "{sel} element made");
    }
    let links = root.query_selector_all("a").expect("q");
    for i in 0..links.length() {
        let a: Element = wasm_bindgen::JsCast::unchecked_into(links.get(i).expect("a"));
        let href = a.get_attribute("href").unwrap_or_default();
        assert!(is_safe_url(&href), "unsafe href {href}");
        assert!(
            href.starts_with("https://ok.example"),
            "only the one good link: {href}"
        );
    }
    let imgs = root.query_selector_all("img").expect("q");
    assert_eq!(imgs.length(), 0, "no image with a script or data: source");
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("<script>window.__pwned = 1</script>"));
    assert!(text.contains("onerror=window.__pwned=1"), "{text}");
    no_attributes_but(&root, SAFE_ATTRIBUTES);
    let pwned = js_sys::Reflect::get(&js_sys::global(), &"__pwned".into()).expect("get");
    assert!(pwned.is_undefined(), "hostile content ran");
    root.remove();
}

#[wasm_bindgen_test]
fn long_words_rtl_and_emoji_survive() {
    let long = "a".repeat(5_000);
    let md = ["مرحبا **بك** في التطبيق 👋🏽\n\n", &long, "\n\n👩‍👩‍👧‍👦 日本語"].concat();
    let root = render(&md, &Map::new());
    let ps = root.query_selector_all("p").expect("q");
    assert_eq!(ps.length(), 3);
    let first: Element = wasm_bindgen::JsCast::unchecked_into(ps.get(0).expect("p"));
    assert_eq!(first.get_attribute("dir").as_deref(), Some("auto"));
    assert_eq!(
        first.text_content().as_deref(),
        Some("مرحبا بك في التطبيق 👋🏽")
    );
    let second: Element = wasm_bindgen::JsCast::unchecked_into(ps.get(1).expect("p"));
    assert_eq!(second.text_content().map(|t| t.len()), Some(5_000));
    assert!(root
        .text_content()
        .unwrap_or_default()
        .contains("👩‍👩‍👧‍👦 日本語"));
    root.remove();
}
