//! The portal's stylesheet, embedded in the binary and written into every page's `<style>`.
//!
//! A linked stylesheet costs the first page a round trip of its own after the link's redirect
//! and the page: on a slow 3G connection (400 ms a round trip) that is the difference between a
//! first page interactive in about 1.4 s and one in about 1 s, against a budget of 1.5 s
//! (docs/portal.md, "Weight and speed"). The sheet is small — about 1.8 KB compressed — so
//! sending it with each page costs less than the request it saves, even for pages a browser
//! could have styled from its cache.

const CSS: &str = include_str!("../../assets/portal.css");

/// The stylesheet, for a page's `<style>` element.
pub fn css() -> String {
    CSS.to_owned()
}
