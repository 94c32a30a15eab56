//! The Chinese pages (`README.zh-CN.md`, `docs/zh-CN/*.md`) stay in step with the English pages
//! they translate. Each starts with a header naming the English page, the commit it follows and
//! that page's git blob at the commit:
//!
//! ```text
//! <!-- translation-of: docs/tiers.md commit: 37dcf87 blob: 759a8c2f02165ea0feeb3b63ef12d4c36402b2ef -->
//! ```
//!
//! The blob is compared with the English file as it is now (computed here as `git hash-object`
//! does, so no git history is needed); when the commit is in the repository's history, the
//! English page at that commit must be that blob. The pages link to each other, every example of
//! a Chinese page is one of the English page's (so it runs as the English one does), and the
//! Chinese pages' links lead somewhere. `scripts/translation-status` shows and refreshes the
//! headers; docs/translations.md explains the convention.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use sha1::{Digest, Sha1};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// Every Chinese page, as a path from the repository's root.
fn chinese_pages() -> Vec<String> {
    let mut pages = vec!["README.zh-CN.md".to_string()];
    let dir = root().join("docs/zh-CN");
    let mut docs: Vec<String> = std::fs::read_dir(&dir)
        .expect("docs/zh-CN")
        .map(|entry| entry.expect("a docs/zh-CN entry").file_name())
        .filter_map(|name| name.to_str().map(str::to_string))
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/zh-CN/{name}"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// What a Chinese page's first line says it translates.
struct Header {
    english: String,
    commit: String,
    blob: String,
}

fn parse_header(page: &str, text: &str) -> Result<Header, String> {
    let first = text.lines().next().unwrap_or_default();
    let usage = "the first line must be `<!-- translation-of: <English page> commit: <sha> blob: <blob sha> -->` (scripts/translation-status --write sets it)";
    let fields = first
        .strip_prefix("<!-- translation-of: ")
        .and_then(|rest| rest.strip_suffix(" -->"))
        .ok_or_else(|| format!("{page}: {usage}"))?;
    let words: Vec<&str> = fields.split(' ').collect();
    let [english, "commit:", commit, "blob:", blob] = words.as_slice() else {
        return Err(format!("{page}: {usage}"));
    };
    let hex = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    };
    if !(7..=40).contains(&commit.len()) || !hex(commit) {
        return Err(format!("{page}: `{commit}` is not a commit sha; {usage}"));
    }
    if blob.len() != 40 || !hex(blob) {
        return Err(format!("{page}: `{blob}` is not a blob sha; {usage}"));
    }
    Ok(Header {
        english: english.to_string(),
        commit: commit.to_string(),
        blob: blob.to_string(),
    })
}

/// The id git gives a file's content (`git hash-object`).
fn blob_sha(content: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", content.len()).as_bytes());
    hasher.update(content);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A git command's output in the repository, or `None` where git, the repository or the object
/// asked for is not there (a source archive, a shallow clone).
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root())
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A fenced code block: its info string and its lines, without the fence's indentation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Block {
    info: String,
    body: String,
}

fn code_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, Block)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match open.as_mut() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let indent = line.len() - trimmed.len();
                    let info = info.trim().to_string();
                    let body = String::new();
                    open = Some((indent, Block { info, body }));
                }
            }
            Some((indent, block)) => {
                if trimmed.trim_end() == "```" {
                    blocks.push(block.clone());
                    open = None;
                } else {
                    let cut = line.len() - line.trim_start().len();
                    block.body.push_str(&line[cut.min(*indent)..]);
                    block.body.push('\n');
                }
            }
        }
    }
    blocks
}

/// The text outside fenced code blocks, line by line.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut in_block = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        } else if !in_block {
            lines.push(line);
        }
    }
    lines
}

/// The targets of the Markdown links outside code blocks.
fn links(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                targets.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    targets
}

/// The anchors a page offers: `<a id="…">` and the ids GitHub gives its headings.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    for line in prose_lines(text) {
        let mut rest = line;
        while let Some(at) = rest.find("<a id=\"") {
            rest = &rest[at + 7..];
            if let Some(end) = rest.find('"') {
                anchors.insert(rest[..end].to_string());
            }
        }
        if line.starts_with('#') {
            let title = line.trim_start_matches('#').trim();
            let slug: String = title
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
                .map(|c| if c == ' ' { '-' } else { c })
                .collect();
            let mut unique = slug.clone();
            let mut n = 0;
            while anchors.contains(&unique) {
                n += 1;
                unique = format!("{slug}-{n}");
            }
            anchors.insert(unique);
        }
    }
    anchors
}

/// `target`, a path relative to the directory of `page`, as a path from the root.
fn resolve(page: &str, target: &str) -> String {
    let mut parts: Vec<String> = Path::new(page)
        .parent()
        .map(|dir| {
            dir.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for component in Path::new(target).components() {
        match component {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

/// `to` (a path from the root) as a link from `page`.
fn relative(page: &str, to: &str) -> String {
    let from: Vec<&str> = page.split('/').collect();
    let from_dir = &from[..from.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// Every Chinese page with its header; a page without a valid header fails the test.
fn pages_with_headers() -> Vec<(String, String, Header)> {
    let pages = chinese_pages();
    assert!(
        pages.len() >= 5 && root().join("README.zh-CN.md").is_file(),
        "the Chinese README and the docs/zh-CN pages exist: {pages:?}"
    );
    pages
        .into_iter()
        .map(|page| {
            let text = read(&page);
            let header = parse_header(&page, &text).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                root().join(&header.english).is_file(),
                "{page} translates {}, which does not exist",
                header.english
            );
            (page, text, header)
        })
        .collect()
}

#[test]
fn blob_sha_is_what_git_hash_object_gives() {
    assert_eq!(blob_sha(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    assert_eq!(
        blob_sha(b"hello\n"),
        "ce013625030ba8dba906f756967f9e9ca394464a"
    );
    assert_eq!(
        blob_sha("积分\n".as_bytes()),
        "838f01dd5199a5f4233846fa58561e74b0a78a45"
    );
}

#[test]
fn every_chinese_page_follows_the_english_page_as_it_is_now() {
    let mut failures = Vec::new();
    for (page, _, header) in pages_with_headers() {
        let Header {
            english,
            commit,
            blob,
        } = &header;
        let content = std::fs::read(root().join(english)).expect("the English page");
        let current = blob_sha(&content);
        if &current != blob {
            let last = git(&["log", "-1", "--format=%h", "--", english])
                .filter(|sha| !sha.is_empty())
                .unwrap_or_else(|| format!("<the last commit that changed {english}>"));
            failures.push(format!(
                "{page} is out of date: {english} changed since commit {commit} (its blob is now {current}, the header records {blob}).\n  \
                 See what changed:   git diff {commit} -- {english}\n  \
                 Translate the change into {page}, commit {english}, then refresh the header:\n    \
                 scripts/translation-status --write {page}\n  \
                 which writes:\n    \
                 <!-- translation-of: {english} commit: {last} blob: {current} -->"
            ));
        }
        // The commit named must be honest, where the history is at hand.
        let in_history = git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{commit}^{{commit}}"),
        ]);
        if let Some(full) = in_history {
            match git(&["rev-parse", "--verify", "--quiet", &format!("{full}:{english}")]) {
                Some(at_commit) if &at_commit == blob => {}
                Some(at_commit) => failures.push(format!(
                    "{page}: the header names commit {commit}, but {english} at {commit} is blob {at_commit}, not {blob}; \
                     run scripts/translation-status --write {page} once the translation is up to date"
                )),
                None => failures.push(format!(
                    "{page}: the header names commit {commit}, which has no {english}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n\n"));
}

#[test]
fn chinese_and_english_pages_link_to_each_other() {
    let mut failures = Vec::new();
    for (page, text, header) in pages_with_headers() {
        let english = &header.english;
        let to_english = relative(&page, english);
        if !links(&text).iter().any(|link| link == &to_english) {
            failures.push(format!(
                "{page} has no link to its English page: ]({to_english})"
            ));
        }
        let to_chinese = relative(english, &page);
        if !links(&read(english)).iter().any(|link| link == &to_chinese) {
            failures.push(format!(
                "{english} has no link to its Chinese version: ]({to_chinese})"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

#[test]
fn every_example_of_a_chinese_page_is_one_of_the_english_page() {
    let mut failures = Vec::new();
    for (page, text, header) in pages_with_headers() {
        let english_text = read(&header.english);
        let english: BTreeSet<Block> = code_blocks(&english_text).into_iter().collect();
        let blocks = code_blocks(&text);
        assert!(
            !blocks.is_empty() || page.ends_with("api.md"),
            "{page} has examples"
        );
        for block in blocks {
            if !english.contains(&block) {
                failures.push(format!(
                    "{page}: this example is not in {} (examples are copied byte for byte, so they run as the English ones do):\n```{}\n{}```",
                    header.english, block.info, block.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n\n"));
}

/// The README tour test runs the English tour; the Chinese tour is the same commands in the
/// same order, so that run covers it too.
#[test]
fn the_chinese_tour_is_the_english_tour() {
    fn tour(page: &str) -> Vec<Block> {
        let text = read(page);
        let start = text
            .find("<!-- tour:start -->")
            .unwrap_or_else(|| panic!("{page}: tour start marker"));
        let end = text
            .find("<!-- tour:end -->")
            .unwrap_or_else(|| panic!("{page}: tour end marker"));
        code_blocks(&text[start..end])
    }
    let english = tour("README.md");
    assert!(english.len() > 5, "the tour has steps");
    assert_eq!(
        tour("README.zh-CN.md"),
        english,
        "README.zh-CN.md's tour runs the English tour's commands, in its order"
    );
}

#[test]
fn links_of_the_chinese_pages_lead_somewhere() {
    let mut failures = Vec::new();
    for (page, text, _) in pages_with_headers() {
        for link in links(&text) {
            if link.starts_with("http://") || link.starts_with("https://") {
                continue;
            }
            let (path, anchor) = match link.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (link.as_str(), None),
            };
            let target = if path.is_empty() {
                page.clone()
            } else {
                resolve(&page, path)
            };
            if !root().join(&target).exists() {
                failures.push(format!(
                    "{page}: ({link}) leads to {target}, which does not exist"
                ));
                continue;
            }
            if let Some(anchor) = anchor
                && target.ends_with(".md")
                && !anchors(&read(&target)).contains(anchor)
            {
                failures.push(format!(
                    "{page}: ({link}): {target} has no anchor #{anchor}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}
