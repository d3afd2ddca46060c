//! A manifest's text with the spans of every key and value, so errors can
//! point at a line and column.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a path into the document: a table key or an array index.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A document's spanned parse tree.
pub(crate) struct Source<'t> {
    root: Spanned<DeTable<'t>>,
}

impl<'t> Source<'t> {
    pub(crate) fn parse(text: &'t str) -> Result<Source<'t>, toml::de::Error> {
        Ok(Source {
            root: DeTable::parse(text)?,
        })
    }

    /// The span of the value at `path`, or of the nearest parent that exists.
    pub(crate) fn span(&self, path: &[Step<'_>]) -> Range<usize> {
        let mut span = self.root.span();
        let mut table: Option<&DeTable<'_>> = Some(self.root.get_ref());
        let mut array: Option<&[Spanned<DeValue<'_>>]> = None;
        for step in path {
            let next = match (step, table, array) {
                (Step::Key(k), Some(t), _) => t.get(*k),
                (Step::Index(i), _, Some(a)) => a.get(*i),
                _ => None,
            };
            let Some(value) = next else { break };
            span = value.span();
            table = None;
            array = None;
            match value.get_ref() {
                DeValue::Table(t) => table = Some(t),
                DeValue::Array(a) => array = Some(a),
                _ => {}
            }
        }
        span
    }

    /// The parsed document, for reading the manifest from it.
    pub(crate) fn into_root(self) -> Spanned<DeTable<'t>> {
        self.root
    }

    /// Whether the document sets a value at `path`.
    pub(crate) fn has(&self, path: &[Step<'_>]) -> bool {
        self.value_at(path).is_some()
    }

    /// The keys of the table at `path`, with their spans.
    pub(crate) fn keys(&self, path: &[Step<'_>]) -> Vec<(String, Range<usize>)> {
        self.table_at(path)
            .map(|t| {
                t.iter()
                    .map(|(k, _)| (k.get_ref().to_string(), k.span()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many keys the table at `path` has (0 when it is not a table).
    pub(crate) fn table_len(&self, path: &[Step<'_>]) -> usize {
        self.table_at(path).map_or(0, |t| t.len())
    }

    /// How many elements the array at `path` has.
    pub(crate) fn len(&self, path: &[Step<'_>]) -> usize {
        match self.value_at(path) {
            Some(DeValue::Array(a)) => a.len(),
            _ => 0,
        }
    }

    fn table_at(&self, path: &[Step<'_>]) -> Option<&DeTable<'t>> {
        if path.is_empty() {
            return Some(self.root.get_ref());
        }
        match self.value_at(path)? {
            DeValue::Table(t) => Some(t),
            _ => None,
        }
    }

    fn value_at(&self, path: &[Step<'_>]) -> Option<&DeValue<'t>> {
        let (last, parents) = path.split_last()?;
        let container: &DeValue<'t> = if parents.is_empty() {
            return match last {
                Step::Key(k) => self.root.get_ref().get(*k).map(Spanned::get_ref),
                Step::Index(_) => None,
            };
        } else {
            self.value_at(parents)?
        };
        match (container, last) {
            (DeValue::Table(t), Step::Key(k)) => t.get(*k).map(Spanned::get_ref),
            (DeValue::Array(a), Step::Index(i)) => a.get(*i).map(Spanned::get_ref),
            _ => None,
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}
