//! The keyword pass: every occurrence of every keyword in a blob, in one
//! pass over it, without regard to ASCII case.
//!
//! The keywords are one Aho-Corasick DFA. Walking a DFA costs one
//! dependent table lookup per byte, so its speed is the latency of that
//! lookup, not the processor's throughput. A blob of some size is walked
//! as two halves at once, each with its own state, so the two lookups of
//! each step overlap: about 1.7 times the speed of one walk. The first
//! half's walk goes on past the middle by the longest keyword's length
//! less one and keeps only the occurrences that start before the middle;
//! the second half's walk starts from the automaton's start state at the
//! middle, so it sees exactly the occurrences that start there or later.
//! Together they report every occurrence once, as a single walk would.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, PatternID};

/// Below this many bytes a blob is walked once, from start to end.
const TWO_WALKS_FROM: usize = 4096;

pub struct Keywords {
    dfa: DFA,
    start: StateID,
    /// The longest keyword's length in bytes.
    longest: usize,
}

/// One occurrence of a keyword: `data[start..end]` is keyword `pattern`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub pattern: usize,
}

impl Keywords {
    pub fn new(keywords: &[&str]) -> Result<Keywords, String> {
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            // No prefilter: then only dead and match states are special,
            // and a walk checks one comparison per byte.
            .prefilter(false)
            .build(keywords)
            .map_err(|e| format!("keyword automaton: {e}"))?;
        let start = dfa.start_state(Anchored::No).map_err(|e| format!("keyword automaton: {e}"))?;
        let longest = keywords.iter().map(|k| k.len()).max().unwrap_or(0);
        Ok(Keywords { dfa, start, longest })
    }

    /// Every occurrence of every keyword in `data`, overlapping ones
    /// included, ordered by where they end (within each half).
    pub fn find(&self, data: &[u8]) -> Vec<Found> {
        let mut found = Vec::new();
        if data.len() < TWO_WALKS_FROM {
            self.walk(data, &mut found);
            return found;
        }
        let middle = data.len() / 2;
        let first_end = middle.saturating_add(self.longest.saturating_sub(1)).min(data.len());
        let (first, second) = (&data[..first_end], &data[middle..]);
        let steps = first.len().min(second.len());
        let mut later = Vec::new();
        let (mut one, mut two) = (self.start, self.start);
        for (at, (&a, &b)) in first.iter().zip(second).enumerate() {
            one = self.dfa.next_state(Anchored::No, one, a);
            two = self.dfa.next_state(Anchored::No, two, b);
            if self.dfa.is_special(one) {
                self.matches(one, at + 1, middle, &mut found);
            }
            if self.dfa.is_special(two) {
                self.matches(two, middle + at + 1, usize::MAX, &mut later);
            }
        }
        // The longer half's tail, walked on its own.
        for (at, &a) in first.iter().enumerate().skip(steps) {
            one = self.dfa.next_state(Anchored::No, one, a);
            if self.dfa.is_special(one) {
                self.matches(one, at + 1, middle, &mut found);
            }
        }
        for (at, &b) in second.iter().enumerate().skip(steps) {
            two = self.dfa.next_state(Anchored::No, two, b);
            if self.dfa.is_special(two) {
                self.matches(two, middle + at + 1, usize::MAX, &mut later);
            }
        }
        found.extend(later);
        found
    }

    /// One walk over `data`.
    fn walk(&self, data: &[u8], found: &mut Vec<Found>) {
        let mut state = self.start;
        for (at, &byte) in data.iter().enumerate() {
            state = self.dfa.next_state(Anchored::No, state, byte);
            if self.dfa.is_special(state) {
                self.matches(state, at + 1, usize::MAX, found);
            }
        }
    }

    /// The keywords that end at `end` in match state `state`, those that
    /// start before `before`.
    fn matches(&self, state: StateID, end: usize, before: usize, found: &mut Vec<Found>) {
        if !self.dfa.is_match(state) {
            return;
        }
        for index in 0..self.dfa.match_len(state) {
            let pattern: PatternID = self.dfa.match_pattern(state, index);
            let start = end.saturating_sub(self.dfa.pattern_len(pattern));
            if start < before {
                found.push(Found { start, end, pattern: pattern.as_usize() });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// The occurrences a plain overlapping search finds, as a set.
    fn expected(keywords: &[&str], data: &[u8]) -> Vec<Found> {
        let automaton = AhoCorasick::builder().ascii_case_insensitive(true).build(keywords).expect("automaton");
        let mut found: Vec<Found> = automaton
            .find_overlapping_iter(data)
            .map(|m| Found { start: m.start(), end: m.end(), pattern: m.pattern().as_usize() })
            .collect();
        found.sort_by_key(|f| (f.start, f.end, f.pattern));
        found
    }

    fn sorted(mut found: Vec<Found>) -> Vec<Found> {
        found.sort_by_key(|f| (f.start, f.end, f.pattern));
        found
    }

    #[test]
    fn two_walks_find_what_one_search_finds() {
        let keywords = ["key", "apikey", "secret", "api_key", "KEY_ID", "http", "10.", "s3cr3t-token-abc"];
        let scanner = Keywords::new(&keywords).expect("keywords");
        // Text with keywords everywhere, overlapping, in mixed case.
        let unit = "x apikey=1 Secret API_KEY http://10.1.2.3 s3cr3t-token-abc key_id; ";
        for size in [0, 1, 5, 100, 4095, 4096, 4097, 10_000, 65_537] {
            let data: Vec<u8> = unit.bytes().cycle().take(size).collect();
            assert_eq!(sorted(scanner.find(&data)), expected(&keywords, &data), "size {size}");
        }
        // A keyword across the middle, at every offset across it, and at
        // the very start and end.
        for shift in 0..20 {
            let mut data = vec![b'.'; 8192];
            let at = 4096 + shift - 10;
            data[at..at + 16].copy_from_slice(b"s3cr3t-token-abc");
            data[..3].copy_from_slice(b"KEY");
            data[8188..].copy_from_slice(b"http");
            let found = scanner.find(&data);
            assert_eq!(sorted(found.clone()), expected(&keywords, &data), "shift {shift}");
            assert_eq!(found.iter().filter(|f| f.start == at && f.pattern == 7).count(), 1);
        }
    }

    #[test]
    fn random_bytes_agree_with_one_search() {
        let keywords = ["ab", "abc", "bca", "cab", "aaaa", "b"];
        let scanner = Keywords::new(&keywords).expect("keywords");
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for size in [4096, 5000, 9999] {
            let data: Vec<u8> = (0..size)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    b"abcABC."[(state % 7) as usize]
                })
                .collect();
            assert_eq!(sorted(scanner.find(&data)), expected(&keywords, &data), "size {size}");
        }
    }
}
