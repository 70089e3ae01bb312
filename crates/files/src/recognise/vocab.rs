//! The profile's vocabulary compiled for matching: every word (label, table header,
//! category, section, page furniture) with what it means, looked up whole or found inside
//! run-together text.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use jixiao_domain::vocabulary::{Field, Role, Section, TableKind};
use jixiao_domain::Profile;

/// What one vocabulary word means; a word may mean several things (项目名称 is a label
/// and a column header); the structure stage decides which from its neighbours.
#[derive(Clone, Debug, Default)]
pub struct Word {
    pub text: String,
    pub field: Option<Field>,
    pub columns: Vec<(TableKind, Role)>,
    /// (1 or 2, canonical label) for an indicator category: the 一级 reading where a word
    /// is both (成本, 满意度指标).
    pub level: Option<(u8, String)>,
    /// The canonical 一级 and 二级 labels the word may stand for.
    pub level1: Option<String>,
    pub level2: Option<String>,
    pub section: Option<Section>,
    pub noise: bool,
}

impl Word {
    pub fn column(&self, kind: TableKind) -> Option<Role> {
        self.columns
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, r)| *r)
    }
}

/// Words shorter than this are looked for inside run-together text only next to a longer
/// word (`分值`, `得分` in a glued header row); alone they would cut ordinary prose apart.
const SHORT: usize = 4;

pub struct Vocab {
    pub words: Vec<Word>,
    by_text: HashMap<String, usize>,
    /// First two characters → (characters, word id) of the words of two characters or
    /// more, longest first. The scan looks up every position of run-together text, so the
    /// key is two characters (few candidates share both), it hashes cheaply, and the words
    /// are compared as characters without decoding them again.
    by_pair: HashMap<u64, Vec<Candidate>, BuildHasherDefault<PairHasher>>,
    /// The words of one character.
    single: HashMap<char, usize>,
}

/// A word's characters and its id.
type Candidate = (Box<[char]>, usize);

fn pair(a: char, b: char) -> u64 {
    (u64::from(a as u32) << 32) | u64::from(b as u32)
}

/// A hasher for a pair of characters: the key spread by one multiplication (the keys are
/// the starts of vocabulary words, not chosen by whoever wrote the file).
#[derive(Default)]
pub struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl Vocab {
    pub fn new(profile: &Profile) -> Vocab {
        let mut v = Vocab {
            words: Vec::new(),
            by_text: HashMap::new(),
            by_pair: HashMap::default(),
            single: HashMap::new(),
        };
        let voc = &profile.vocabulary;
        for (field, words) in &voc.fields {
            for w in words {
                let id = v.entry(w);
                v.words[id].field.get_or_insert(*field);
            }
        }
        for (kind, roles) in &voc.columns {
            for (role, words) in roles {
                for w in words {
                    let id = v.entry(w);
                    if v.words[id].column(*kind).is_none() {
                        v.words[id].columns.push((*kind, *role));
                    }
                }
            }
        }
        for (section, words) in &voc.sections {
            for w in words {
                let id = v.entry(w);
                v.words[id].section.get_or_insert(*section);
            }
        }
        for w in &voc.noise {
            let id = v.entry(w);
            v.words[id].noise = true;
        }
        for (variant, canon, level) in profile.level_words() {
            let id = v.entry(variant);
            // A 二级 label that is also a 一级 one (满意度指标) keeps the 一级 reading; the
            // structure stage knows from the column which one a cell is.
            if v.words[id].level.is_none() || level == 1 {
                v.words[id].level = Some((level, canon.to_string()));
            }
            let slot = if level == 1 {
                &mut v.words[id].level1
            } else {
                &mut v.words[id].level2
            };
            slot.get_or_insert_with(|| canon.to_string());
        }
        for (id, w) in v.words.iter().enumerate() {
            let chars: Box<[char]> = w.text.chars().collect();
            match *chars {
                [] => {}
                [c] => {
                    v.single.insert(c, id);
                }
                [a, b, ..] => v.by_pair.entry(pair(a, b)).or_default().push((chars, id)),
            }
        }
        for ids in v.by_pair.values_mut() {
            ids.sort_by_key(|(chars, _)| std::cmp::Reverse(chars.len()));
        }
        v
    }

    fn entry(&mut self, text: &str) -> usize {
        if let Some(&id) = self.by_text.get(text) {
            return id;
        }
        let id = self.words.len();
        self.words.push(Word {
            text: text.to_string(),
            ..Word::default()
        });
        self.by_text.insert(text.to_string(), id);
        id
    }

    pub fn word(&self, id: usize) -> &Word {
        &self.words[id]
    }

    /// The word a whole cell is, after dropping what decorates a label: a numbering prefix
    /// (`1、`, `（一）`, `其中：`), a trailing colon, a short parenthesis (`(万元)`, `(盖章)`,
    /// `(A)`, `(长期)`). Returns the word and the text after a colon, if any (`资金总额：35`).
    pub fn lookup(&self, norm: &str) -> Option<(usize, Option<String>)> {
        if norm.is_empty() {
            return None;
        }
        if let Some(&id) = self.by_text.get(norm) {
            return Some((id, None));
        }
        let bare = strip_numbering(norm);
        let (head, inline) = match bare.find(':') {
            Some(i) => (&bare[..i], Some(bare[i + 1..].trim().to_string())),
            None => (bare, None),
        };
        let head = head.trim_end_matches(':');
        for candidate in [
            head,
            strip_paren_suffix(head),
            strip_paren_suffix(strip_paren_suffix(head)),
        ] {
            if let Some(&id) = self.by_text.get(candidate) {
                return Some((id, inline.clone().filter(|s| !s.is_empty())));
            }
        }
        None
    }

    /// Every vocabulary word inside `chars` (normalised text), leftmost-longest and not
    /// overlapping: (start, end, word id) in character positions. Short words count only
    /// where they touch a longer one or another short one that does.
    pub fn scan(&self, chars: &[char]) -> Vec<(usize, usize, usize)> {
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match self.longest_at(chars, i, SHORT) {
                Some((len, id)) => {
                    found.push((i, i + len, id));
                    i += len;
                }
                None => i += 1,
            }
        }
        if found.is_empty() {
            return found;
        }
        // Short words adjacent to what was found, repeated while the run grows.
        loop {
            let mut added = false;
            let mut extra = Vec::new();
            for (k, &(s, e, _)) in found.iter().enumerate() {
                let next_start = found.get(k + 1).map_or(chars.len(), |f| f.0);
                if let Some((len, id)) = self.longest_at(&chars[..next_start], e, 1) {
                    extra.push((e, e + len, id));
                }
                let prev_end = if k == 0 { 0 } else { found[k - 1].1 };
                for start in prev_end..s {
                    if let Some((len, id)) = self.longest_at(&chars[..s], start, 1) {
                        if start + len == s {
                            extra.push((start, s, id));
                            break;
                        }
                    }
                }
            }
            for x in extra {
                if !found.iter().any(|f| f.0 < x.1 && x.0 < f.1) {
                    found.push(x);
                    added = true;
                }
            }
            found.sort();
            if !added {
                break;
            }
        }
        found
    }

    /// The longest word of at least `min` characters starting at `i`.
    fn longest_at(&self, chars: &[char], i: usize, min: usize) -> Option<(usize, usize)> {
        let first = *chars.get(i)?;
        if let Some(ids) = chars
            .get(i + 1)
            .and_then(|&b| self.by_pair.get(&pair(first, b)))
        {
            for (w, id) in ids {
                let len = w.len();
                if len < min {
                    // Longest first: every later word is shorter still.
                    break;
                }
                if chars.get(i..i + len) == Some(&w[..]) {
                    return Some((len, *id));
                }
            }
        }
        if min <= 1 {
            if let Some(&id) = self.single.get(&first) {
                return Some((1, id));
            }
        }
        None
    }
}

/// `1、`, `1.`, `（一）`, `一、`, `其中:`, `附表1` numbering before a label.
pub fn strip_numbering(s: &str) -> &str {
    let mut s = s.strip_prefix("其中:").unwrap_or(s);
    if let Some(rest) = s.strip_prefix('(') {
        if let Some((inner, after)) = rest.split_once(')') {
            if !inner.is_empty() && inner.chars().all(|c| is_numeral(c) || c.is_ascii_digit()) {
                s = after;
            }
        }
    }
    let t = s.trim_start_matches(|c: char| c.is_ascii_digit() || is_numeral(c));
    if t.len() < s.len() {
        if let Some(rest) = t.strip_prefix(['、', '.', ',', ')']) {
            return rest.strip_prefix("其中:").unwrap_or(rest);
        }
    }
    s
}

fn is_numeral(c: char) -> bool {
    "一二三四五六七八九十".contains(c)
}

/// `资金总额(万元)`, `中期目标(2024-2026年)` → the label: a short parenthesis at the end.
pub fn strip_paren_suffix(s: &str) -> &str {
    if let Some(body) = s.strip_suffix(')') {
        if let Some(i) = body.rfind('(') {
            if body[i + 1..].chars().count() <= 14 && i > 0 {
                return &s[..i];
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocab {
        Vocab::new(&Profile::national())
    }

    #[test]
    fn labels_whole_with_decorations() {
        let v = vocab();
        let (id, inline) = v.lookup("资金总额:35").unwrap();
        assert_eq!(v.word(id).field, Some(Field::Amount));
        assert_eq!(inline.as_deref(), Some("35"));
        let (id, _) = v.lookup("其中:财政拨款").unwrap();
        assert_eq!(v.word(id).field, Some(Field::Fiscal));
        let (id, _) = v.lookup("年度预算申请(万元)").unwrap();
        assert_eq!(v.word(id).field, Some(Field::AmountGroup));
        let (id, _) = v.lookup("2.质量指标").unwrap();
        assert_eq!(v.word(id).level.as_ref().unwrap().1, "质量指标");
        let (id, _) = v.lookup("二级指标(年度)").unwrap();
        assert_eq!(v.word(id).column(TableKind::Indicators), Some(Role::Level2));
        assert!(v.lookup("澧县食用菌研究所").is_none());
    }

    #[test]
    fn words_inside_run_together_text() {
        let v = vocab();
        let chars: Vec<char> = "公共财政拨款222.45基本支出220.45".chars().collect();
        let found: Vec<String> = v
            .scan(&chars)
            .iter()
            .map(|&(s, e, _)| chars[s..e].iter().collect())
            .collect();
        assert_eq!(found, ["公共财政拨款", "基本支出"]);
        let chars: Vec<char> = "三级指标分值年度指标值全年实际值得分".chars().collect();
        let found: Vec<String> = v
            .scan(&chars)
            .iter()
            .map(|&(s, e, _)| chars[s..e].iter().collect())
            .collect();
        assert_eq!(
            found,
            ["三级指标", "分值", "年度指标值", "全年实际值", "得分"]
        );
        let chars: Vec<char> = "提高群众的得分意识".chars().collect();
        assert!(
            v.scan(&chars).is_empty(),
            "a short word alone is not cut out of prose"
        );
    }
}
