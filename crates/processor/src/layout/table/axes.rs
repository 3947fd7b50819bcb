//! A table's axes: the separators between its columns and the bands of its rows.

use super::reach::{CONTINUATION_GAP, MIN_CHANNEL, MIN_CROSSED_CHANNEL, PHRASE_GAP};
use super::rules::Rule;
use super::{is_numeric, is_value};
use crate::layout::geometry::{bounds, gaps, Rect};
use crate::output::result::Word;

/// A line between two columns (or two rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Sep {
    /// x between columns, y between rows.
    pub at: f32,
    /// The rule's drawn pieces along it (y ranges for a column's, x ranges for a row's); empty
    /// where the separator is white only.
    pub segments: Vec<(f32, f32)>,
    /// White runs through it (no line's words cross it), whatever rule it also has.
    pub channel: bool,
}

impl Sep {
    /// How much of `from..to` the rule's pieces cover, as a share.
    pub fn coverage(&self, from: f32, to: f32) -> f32 {
        if to <= from {
            return 0.0;
        }
        let drawn: f32 = crate::layout::geometry::cover(self.segments.iter().copied())
            .iter()
            .map(|&(a, b)| (b.min(to) - a.max(from)).max(0.0))
            .sum();
        drawn / (to - from)
    }

    /// Whether the rule is drawn across `at` (a point along it), within `tol`.
    pub fn drawn_at(&self, at: f32, tol: f32) -> bool {
        self.segments
            .iter()
            .any(|&(a, b)| at >= a - tol && at <= b + tol)
    }
}

/// The table's text lines: words whose heights overlap by more than half, never one above the
/// other; top to bottom, each left to right (indices into `rects`).
pub fn text_lines(rects: &[Rect]) -> Vec<Vec<usize>> {
    let n = rects.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| rects[a].t.total_cmp(&rects[b].t));
    let mut parent: Vec<usize> = (0..n).collect();
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if rects[j].t >= rects[i].b {
                break;
            }
            let stacked = rects[i].h_overlap(&rects[j])
                > 0.3 * (rects[i].r - rects[i].l).min(rects[j].r - rects[j].l);
            if rects[i].v_overlap(&rects[j]) > 0.5 && !stacked {
                union(&mut parent, i, j);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut lines: Vec<Vec<usize>> = groups.into_values().collect();
    for line in &mut lines {
        line.sort_by(|&a, &b| rects[a].l.total_cmp(&rects[b].l));
    }
    let top = |l: &Vec<usize>| l.iter().map(|&i| rects[i].t).fold(f32::INFINITY, f32::min);
    lines.sort_by(|a, b| top(a).total_cmp(&top(b)));
    lines
}

pub(super) fn find(p: &mut [usize], i: usize) -> usize {
    let mut i = i;
    while p[i] != i {
        p[i] = p[p[i]];
        i = p[i];
    }
    i
}

pub(super) fn union(p: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(p, a), find(p, b));
    if a != b {
        p[a.max(b)] = a.min(b);
    }
}

pub fn line_rect(rects: &[Rect], line: &[usize]) -> Rect {
    bounds(line.iter().map(|&i| rects[i])).expect("a line has words")
}

/// Separators of the same direction closer than `tol`, as one (its pieces kept).
fn group(rules: impl Iterator<Item = Rule>, tol: f32) -> Vec<Sep> {
    let mut rules: Vec<Rule> = rules.collect();
    rules.sort_by(|a, b| a.at.total_cmp(&b.at));
    let mut out: Vec<(Sep, f32)> = Vec::new();
    for r in rules {
        match out.last_mut() {
            Some((s, weight)) if r.at - s.at <= tol => {
                s.at = (s.at * *weight + r.at * r.len()) / (*weight + r.len()).max(f32::EPSILON);
                *weight += r.len();
                s.segments.push((r.from, r.to));
            }
            _ => out.push((
                Sep {
                    at: r.at,
                    segments: vec![(r.from, r.to)],
                    channel: false,
                },
                r.len(),
            )),
        }
    }
    out.into_iter().map(|(s, _)| s).collect()
}

/// A line's phrases: runs of words closer than a column gap, never across a drawn rule or a
/// channel of white between columns (a phrase spans columns only where a word crosses into the
/// next, or where a ruled cell's inner rule is missing).
pub fn phrases(rects: &[Rect], line: &[usize], vertical: &[Sep], unit: f32) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for &i in line {
        let joins = out.last().is_some_and(|p| {
            let prev = rects[*p.last().expect("phrases are never empty")];
            let cur = rects[i];
            let y = (cur.t + cur.b) / 2.0;
            cur.l - prev.r <= PHRASE_GAP * unit
                && !vertical.iter().any(|s| {
                    s.at >= prev.r.min(cur.l) - 1.0
                        && s.at <= cur.l.max(prev.r) + 1.0
                        && (s.drawn_at(y, 1.0) || s.channel)
                })
        });
        if joins {
            out.last_mut().expect("checked").push(i);
        } else {
            out.push(vec![i]);
        }
    }
    out
}

/// A header has at most this many rows.
const MAX_HEADER_ROWS: usize = 5;
/// A rule across this share of a table's width runs across it.
const FULL_RULE: f32 = 0.8;
/// Rows are ruled when rules run across the table between at least this share of its rows of
/// values.
const RULED_SHARE: f32 = 0.3;
/// A rule inside a table that covers this share of its height makes it a lattice.
const LATTICE_COVERAGE: f32 = 0.8;

/// The separators between columns, left to right: vertical rules, and channels of white through
/// the lines' phrases.
pub fn columns(
    rects: &[Rect],
    lines: &[Vec<usize>],
    rules: &[Rule],
    unit: f32,
    tol: f32,
) -> Vec<Sep> {
    let mut seps = group(rules.iter().copied().filter(|r| !r.horizontal), tol);
    let per_line: Vec<Vec<(f32, f32)>> = lines
        .iter()
        .map(|line| {
            phrases(rects, line, &seps, unit)
                .into_iter()
                .map(|p| {
                    let r = bounds(p.iter().map(|&i| rects[i])).expect("phrases have words");
                    (r.l, r.r)
                })
                .collect()
        })
        .collect();
    let intervals: Vec<(f32, f32)> = per_line.iter().flatten().copied().collect();
    let mut channels: Vec<(f32, f32)> = gaps(intervals.iter().copied(), MIN_CHANNEL * unit);
    let text = bounds(rects.iter().copied()).expect("a table has words");
    // Drawn as a lattice: a rule inside the table runs down all of it. Its columns are the
    // rules'; white between them is a column of its own only where most lines have text on both
    // sides of it (not the wide spaces of justified text in one cell).
    let lattice = seps
        .iter()
        .any(|s| s.at > text.l && s.at < text.r && s.coverage(text.t, text.b) >= LATTICE_COVERAGE);
    if lattice {
        channels.retain(|&(a, b)| {
            let left_rule = seps
                .iter()
                .map(|s| s.at)
                .filter(|&x| x <= a)
                .fold(f32::MIN, f32::max);
            let right_rule = seps
                .iter()
                .map(|s| s.at)
                .filter(|&x| x >= b)
                .fold(f32::MAX, f32::min);
            let both_sides = per_line
                .iter()
                .filter(|l| {
                    l.iter().any(|&(x0, x1)| x0 >= left_rule && x1 <= a)
                        && l.iter().any(|&(x0, x1)| x0 >= b && x1 <= right_rule)
                })
                .count();
            b - a >= MIN_CROSSED_CHANNEL * unit && 2 * both_sides >= lines.len().max(2)
        });
    } else {
        // Channels a few lines cross (a header over several columns, a section title).
        let allowed = if lines.len() >= 5 { lines.len() / 5 } else { 0 };
        if allowed > 0 {
            for run in crossed_channels(&intervals, allowed, MIN_CROSSED_CHANNEL * unit) {
                if !channels.iter().any(|&(a, b)| a < run.1 && b > run.0) {
                    channels.push(run);
                }
            }
        }
    }
    for (a, b) in channels {
        match seps.iter_mut().find(|s| s.at >= a - tol && s.at <= b + tol) {
            Some(s) => s.channel = true,
            None => seps.push(Sep {
                at: (a + b) / 2.0,
                segments: Vec::new(),
                channel: true,
            }),
        }
    }
    seps.sort_by(|a, b| a.at.total_cmp(&b.at));
    seps
}

/// Runs of x covered by at most `allowed` intervals, at least `min` wide, with more coverage on
/// both sides; each narrowed to its least covered stretch.
fn crossed_channels(intervals: &[(f32, f32)], allowed: usize, min: f32) -> Vec<(f32, f32)> {
    let mut events: Vec<(f32, i32)> = intervals
        .iter()
        .flat_map(|&(a, b)| [(a, 1), (b, -1)])
        .collect();
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    // Stretches of constant coverage: (from, to, count).
    let mut stretches: Vec<(f32, f32, usize)> = Vec::new();
    let mut count = 0i32;
    for w in events.windows(2) {
        count += w[0].1;
        if w[1].0 > w[0].0 {
            stretches.push((w[0].0, w[1].0, count.max(0) as usize));
        }
    }
    let mut out = Vec::new();
    let mut k = 0;
    while k < stretches.len() {
        if stretches[k].2 > allowed {
            k += 1;
            continue;
        }
        let start = k;
        while k < stretches.len() && stretches[k].2 <= allowed {
            k += 1;
        }
        // Interior only: coverage above the allowance on both sides.
        if start == 0 || k == stretches.len() {
            continue;
        }
        let run = &stretches[start..k];
        if run.last().expect("non-empty").1 - run[0].0 < min {
            continue;
        }
        // Its least covered stretch, unless that is only a space between a spanning header's
        // words: then the whole run.
        let least = run.iter().map(|s| s.2).min().expect("non-empty");
        let widest = run
            .iter()
            .filter(|s| s.2 == least)
            .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
            .expect("non-empty");
        let widest = if widest.1 - widest.0 >= min / 2.0 {
            *widest
        } else {
            (run[0].0, run.last().expect("non-empty").1, least)
        };
        out.push((widest.0, widest.1));
    }
    out
}

/// The table's rows: bands of lines, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// Line indices of each row.
    pub bands: Vec<Vec<usize>>,
    /// The rule between row k and k + 1, if one is drawn there.
    pub rules: Vec<Option<Sep>>,
    /// Rows are cut along rules (text wrapped between two rules is one row).
    pub ruled: bool,
    /// How many rows at the top are the header.
    pub header: usize,
}

/// Column index of a point: how many separators lie left of it.
pub fn column_of(cols: &[Sep], x: f32) -> usize {
    cols.iter().filter(|s| s.at < x).count()
}

pub fn rows(
    rects: &[Rect],
    words: &[Word],
    lines: &[Vec<usize>],
    cols: &[Sep],
    rules: &[Rule],
    unit: f32,
    tol: f32,
) -> Rows {
    let hseps = group(rules.iter().copied().filter(|r| r.horizontal), tol);
    let boxes: Vec<Rect> = lines.iter().map(|l| line_rect(rects, l)).collect();
    let (left, right) = bounds(boxes.iter().copied()).map_or((0.0, 1.0), |b| (b.l, b.r));
    let mid = |r: &Rect| (r.t + r.b) / 2.0;
    // The rule drawn between each pair of neighbouring lines, the widest if several.
    let between: Vec<Option<Sep>> = boxes
        .windows(2)
        .map(|w| {
            hseps
                .iter()
                .filter(|s| s.at >= mid(&w[0]) && s.at <= mid(&w[1]))
                .filter(|s| s.coverage(left, right) > 0.0)
                .max_by(|a, b| a.coverage(left, right).total_cmp(&b.coverage(left, right)))
                .cloned()
        })
        .collect();
    let line_cols = |l: &[usize]| -> Vec<usize> {
        let mut c: Vec<usize> = l
            .iter()
            .map(|&i| column_of(cols, (rects[i].l + rects[i].r) / 2.0))
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let first_col = lines
        .iter()
        .filter_map(|l| line_cols(l).first().copied())
        .min()
        .unwrap_or(0);
    // A line of values: cells in several columns, a value beside the first.
    let values: Vec<bool> = lines
        .iter()
        .map(|l| {
            line_cols(l).len() >= 2
                && l.iter().any(|&i| {
                    is_value(&words[i].text) && column_of(cols, rects[i].l + 1.0) > first_col
                })
        })
        .collect();
    // Rows are ruled when rules run across the table between most of its rows of values (or
    // between most of its lines).
    let ruled_gaps = between.iter().filter(|s| s.is_some()).count();
    let full_rules = between
        .iter()
        .flatten()
        .filter(|s| s.coverage(left, right) >= FULL_RULE)
        .count();
    let value_rows = values.iter().filter(|v| **v).count();
    let ruled = (ruled_gaps >= 1 && 2 * ruled_gaps >= lines.len().saturating_sub(1))
        || (full_rules >= 2
            && full_rules as f32 >= RULED_SHARE * value_rows.saturating_sub(1) as f32);
    let mut bands: Vec<Vec<usize>> = Vec::new();
    let mut band_rules: Vec<Option<Sep>> = Vec::new();
    // Above the first rule of a ruled table is its header, whatever its lines hold (years, units).
    let first_rule = between.iter().position(Option::is_some).unwrap_or(0);
    for k in 0..lines.len() {
        // Between two rules, lines are one row (a cell's wrapped text) unless each is a row of
        // values of its own (a ruled table with an unruled stretch).
        let cut = k == 0 || !ruled || between[k - 1].is_some() || {
            // Two rows of values in the same columns, one under the other, the lower with its
            // own label (the pieces of one row, offset by a cell wrapped beside them, share no
            // column and overlap; a cell's list of values goes on under its first line).
            let (a, b) = (&boxes[k - 1], &boxes[k]);
            let below = line_cols(&lines[k]);
            let shared = line_cols(&lines[k - 1]).iter().any(|c| below.contains(c));
            values[k - 1]
                && values[k]
                && shared
                && below.first() == Some(&first_col)
                && b.t >= a.b
                && k > first_rule
        };
        if cut {
            if k > 0 {
                band_rules.push(between[k - 1].clone());
            }
            bands.push(vec![k]);
        } else {
            bands.last_mut().expect("a band is open").push(k);
        }
    }
    // A body row: a label in the first column and a value beside it.
    let body_row = |band: &[usize]| {
        let mut columns = Vec::new();
        let mut value = false;
        for p in band
            .iter()
            .flat_map(|&l| phrases(rects, &lines[l], cols, unit))
        {
            let c = column_of(cols, rects[p[0]].l + 1.0);
            columns.push(c);
            value |= c > first_col && p.iter().any(|&i| is_value(&words[i].text));
        }
        columns.sort_unstable();
        columns.dedup();
        value && columns.len() >= 2 && columns[0] == first_col
    };
    // The header: the rows above a rule across the table near its top (the lowest such rule
    // with a row of values under it and mostly labels above), else the rows above the first row
    // of values.
    let is_body: Vec<bool> = bands.iter().map(|b| body_row(b)).collect();
    let header_rule = (1..bands.len().min(MAX_HEADER_ROWS + 1)).rev().find(|&k| {
        let across = band_rules[k - 1]
            .as_ref()
            .is_some_and(|r| r.coverage(left, right) >= FULL_RULE);
        let labels_above = is_body[..k].iter().filter(|b| !**b).count();
        across && is_body[k] && 2 * labels_above > k
    });
    let first_body = is_body.iter().position(|b| *b);
    let header = match (header_rule, first_body) {
        (Some(h), _) if !ruled => h,
        (_, Some(h)) => h.min(MAX_HEADER_ROWS),
        (_, None) if bands.len() >= 3 => 1,
        _ => 0,
    }
    .min(bands.len().saturating_sub(1));
    if !ruled {
        let (b, r) = continuations(bands, band_rules, header, rects, words, lines, cols, unit);
        bands = b;
        band_rules = r;
    }
    Rows {
        bands,
        rules: band_rules,
        ruled,
        header,
    }
}

/// Joins lines that only continue the cells of a neighbouring row (a label wrapped onto a second
/// line) in the body of an unruled table.
#[allow(clippy::too_many_arguments)]
fn continuations(
    bands: Vec<Vec<usize>>,
    band_rules: Vec<Option<Sep>>,
    header: usize,
    rects: &[Rect],
    words: &[Word],
    lines: &[Vec<usize>],
    cols: &[Sep],
    unit: f32,
) -> (Vec<Vec<usize>>, Vec<Option<Sep>>) {
    struct Facts {
        cols: Vec<usize>,
        numeric: bool,
        rect: Rect,
        first: String,
        last: String,
    }
    let facts = |band: &[usize]| -> Facts {
        let ws: Vec<usize> = band
            .iter()
            .flat_map(|&l| lines[l].iter().copied())
            .collect();
        let mut c: Vec<usize> = ws
            .iter()
            .map(|&i| column_of(cols, (rects[i].l + rects[i].r) / 2.0))
            .collect();
        c.sort_unstable();
        c.dedup();
        let numeric = band
            .iter()
            .flat_map(|&l| phrases(rects, &lines[l], cols, unit))
            .any(|p| {
                is_numeric(
                    &p.iter()
                        .map(|&i| words[i].text.as_str())
                        .collect::<String>(),
                )
            });
        let first_line = &lines[band[0]];
        let last_line = &lines[*band.last().expect("bands are never empty")];
        Facts {
            cols: c,
            numeric,
            rect: bounds(ws.iter().map(|&i| rects[i])).expect("a band has words"),
            first: words[first_line[0]].text.clone(),
            last: words[*last_line.last().expect("lines have words")]
                .text
                .clone(),
        }
    };
    let continues_text = |prev_last: &str, next_first: &str| {
        let starts_low = next_first
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || "([&".contains(c));
        let open_end = prev_last.chars().last().is_some_and(|c| "-,/&".contains(c))
            || ["and", "or", "of", "the", "for", "in", "with", "to", "a"]
                .contains(&prev_last.to_lowercase().as_str());
        starts_low || open_end
    };
    // Each row with the rule drawn above it.
    let mut out: Vec<(Vec<usize>, Option<Sep>)> = Vec::new();
    let above = |k: usize| {
        if k == 0 {
            None
        } else {
            band_rules[k - 1].clone()
        }
    };
    let mut k = 0;
    while k < bands.len() {
        let band = bands[k].clone();
        if k > header && band_rules[k - 1].is_none() {
            if let Some((prev_band, _)) = out.last() {
                let prev = facts(prev_band);
                let cur = facts(&band);
                let subset = cur.cols.iter().all(|c| prev.cols.contains(c));
                if subset
                    && cur.cols.len() < prev.cols.len()
                    && !cur.numeric
                    && cur.rect.t - prev.rect.b <= CONTINUATION_GAP * unit
                    && continues_text(&prev.last, &cur.first)
                {
                    out.last_mut().expect("checked").0.extend(band);
                    k += 1;
                    continue;
                }
            }
        }
        // A label alone on its line whose row goes on below it, with the values.
        if k >= header && k + 1 < bands.len() && band_rules[k].is_none() {
            let cur = facts(&band);
            let next = facts(&bands[k + 1]);
            if cur.cols.len() == 1
                && next.cols.len() > 1
                && next.cols[0] == cur.cols[0]
                && !cur.numeric
                && next.rect.t - cur.rect.b <= CONTINUATION_GAP * unit
                && continues_text(&cur.last, &next.first)
            {
                let mut joined = band;
                joined.extend(bands[k + 1].iter().copied());
                out.push((joined, above(k)));
                k += 2;
                continue;
            }
        }
        out.push((band, above(k)));
        k += 1;
    }
    let out_rules = out.iter().skip(1).map(|(_, r)| r.clone()).collect();
    let out = out.into_iter().map(|(b, _)| b).collect();
    (out, out_rules)
}
