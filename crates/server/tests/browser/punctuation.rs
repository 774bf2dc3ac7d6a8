//! Chinese text is set with full-width punctuation (，。：；！？（）), as every Chinese wallet's is:
//! a half-width comma or colon inside a Chinese sentence reads as a developer's placeholder. Every
//! Chinese string of the three pages is checked; what is not prose is left out of the check:
//! `{placeholders}` (and a JSON example in braces), addresses (`https://…`, `qianbao://…`, `#/…`),
//! and digits grouped or timed (`1,000`, `12:30`).

use std::path::Path;

/// The Chinese strings of one file: the values of `'key': '…'` lines, inside `export const zh`
/// when the file also holds English (`console-strings.js`), else all of them.
fn chinese_strings(file: &str) -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("web").join(file))
            .unwrap();
    let split = text.contains("export const en");
    let mut in_zh = !split;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("export const zh") {
            in_zh = true;
        } else if line.starts_with("export const en") {
            in_zh = false;
        }
        let Some(rest) = line.trim_start().strip_prefix('\'') else {
            continue;
        };
        let Some((key, value)) = rest.split_once("': '") else {
            continue;
        };
        let value = value
            .trim_end()
            .trim_end_matches(',')
            .trim_end_matches('\'');
        if in_zh {
            out.push((key.to_string(), value.to_string()));
        }
    }
    out
}

fn is_han(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c)
}

/// The half-width marks in a Chinese sentence, after leaving out what is not prose.
fn half_width_marks(value: &str) -> Vec<char> {
    if !value.chars().any(is_han) {
        return Vec::new();
    }
    let chars: Vec<char> = value.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..].iter().collect();
        if c == '{' {
            i += chars[i..].iter().position(|&c| c == '}').unwrap_or(0) + 1;
            continue;
        }
        if rest.starts_with("http") || rest.starts_with("qianbao://") || rest.starts_with("#/") {
            i += chars[i..]
                .iter()
                .position(|c| c.is_whitespace())
                .unwrap_or(chars.len() - i);
            continue;
        }
        let digits_around = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if matches!(c, ',' | ':') && digits_around {
            i += 1;
            continue;
        }
        if matches!(c, ',' | ':' | ';' | '!' | '?' | '(' | ')') {
            found.push(c);
        }
        i += 1;
    }
    found
}

#[test]
fn every_chinese_string_of_the_pages_uses_full_width_punctuation() {
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in ["strings-zh.js", "console-strings.js"] {
        for (key, value) in chinese_strings(file) {
            checked += 1;
            let marks = half_width_marks(&value);
            if !marks.is_empty() {
                wrong.push(format!("{file} {key}: {marks:?} in {value}"));
            }
        }
    }
    assert!(checked > 700, "only {checked} Chinese strings were read");
    assert!(
        wrong.is_empty(),
        "half-width punctuation in Chinese text:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_catches_a_half_width_comma_and_leaves_numbers_and_placeholders_alone() {
    assert_eq!(
        half_width_marks("支付密码错误,还可以再试 {n} 次"),
        vec![',']
    );
    assert_eq!(half_width_marks("金额(元)"), vec!['(', ')']);
    assert!(half_width_marks("单笔 ¥1,000.00，时间 12:30：{a:b}").is_empty());
    assert!(half_width_marks("打开 #/security?pinreset 重设").is_empty());
    assert!(half_width_marks("Wrong code, try again (3 left)").is_empty());
}
