//! A license stated in the README's "License" section, for projects
//! without a license file: a common layout that says which license
//! applies without shipping its text.

use fledge_sdk::prelude::*;
use fledge_sdk::text::headings;

/// The README's License section: the README's path, the heading's line and
/// the section's text (up to the next heading), if there is one.
pub fn license_section(repo: &Repo) -> Result<Option<(String, u32, String)>> {
    let Some(readme) = repo.readme()? else { return Ok(None) };
    let Some(text) = repo.read_text_bounded(&readme.path, 256 << 10)? else { return Ok(None) };
    let found = headings(&text);
    let Some(at) = found.iter().position(|h| {
        let title = h.title.to_ascii_lowercase();
        title.starts_with("license")
            || title.starts_with("licence")
            || title == "licensing"
            || title == "copyright and license"
    }) else {
        return Ok(None);
    };
    let start = found[at].line as usize;
    let end = found.get(at + 1).map_or(usize::MAX, |next| next.line as usize - 1);
    let section: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, line)| *i + 1 > start && *i + 1 < end && !line.trim().chars().all(|c| c == '-' || c == '='))
        .map(|(_, line)| line)
        .collect();
    let section = section.join("\n");
    if section.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some((readme.path, found[at].line, section)))
}
