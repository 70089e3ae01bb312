//! Stage 3 of the reader: the tokens of one form grouped into structures: tables (a header
//! row of column words, then data rows aligned to its columns), label–value pairs, and
//! what is left over. Form fields (stage 4) are read from these structures only.
//!
//! Two ways to read rows: where the file has a row structure (Word, Excel, HTML, pipe
//! text), each row is aligned to the header by trying every shift and scoring how well
//! each cell fits its column (this copes with rows whose merged leading cells were
//! dropped); where it has none (one cell per paragraph, text run together), rows are
//! assembled from the stream of cells: a category word or a cell that can only start a
//! new row closes the current one.

use jixiao_domain::text::parse_decimal;
use jixiao_domain::vocabulary::{Field, Role, Section, TableKind};
use jixiao_domain::Profile;

use super::segment::Segment;
use super::tokens::{Kind, Token, Tokens};
use super::vocab::Vocab;

/// A table column: its role and the header token.
#[derive(Clone, Debug)]
pub struct Column {
    pub role: Role,
    pub token: usize,
}

/// A column position of a header read from a grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// A section label over a merged first column: content there fits badly.
    Lead,
    /// A column the table keeps.
    Col(Role),
    /// A paired long-term column (长期 beside 年度): scored as its role, not kept.
    Skip(Role),
}

/// One data row: token index by role.
#[derive(Clone, Debug, Default)]
pub struct TableRow {
    pub cells: Vec<(Role, usize)>,
}

impl TableRow {
    pub fn get(&self, role: Role) -> Option<usize> {
        self.cells.iter().find(|(r, _)| *r == role).map(|(_, t)| *t)
    }

    pub fn all(&self, role: Role) -> impl Iterator<Item = usize> + '_ {
        self.cells
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, t)| *t)
    }
}

#[derive(Clone, Debug)]
pub struct Table {
    pub kind: TableKind,
    pub columns: Vec<Column>,
    /// For rows read from a grid: the header's cells in order.
    pub slots: Vec<Slot>,
    pub rows: Vec<TableRow>,
    /// Token range of the table (header and rows).
    pub start: usize,
    pub end: usize,
    /// The rows stopped at the end of the text rather than at a closing row: an excerpt cut
    /// mid-table.
    pub cut: bool,
}

impl Table {
    pub fn has(&self, role: Role) -> bool {
        self.columns.iter().any(|c| c.role == role)
    }
}

/// A label and the token holding its value.
#[derive(Clone, Debug)]
pub struct Pair {
    pub field: Field,
    pub label: usize,
    pub value: Option<usize>,
}

/// What happened to a token, for the explain view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Use {
    Unused,
    Header(TableKind, Role),
    Cell(TableKind, Role),
    Label(Field),
    Value(Field),
    Category,
    Section,
    Noise,
    Title,
}

/// The structures of one form.
pub struct Structures {
    pub tables: Vec<Table>,
    pub pairs: Vec<Pair>,
    /// Use of each token of the segment, indexed by token index − `start`.
    pub uses: Vec<Use>,
    pub start: usize,
    pub end: usize,
}

impl Structures {
    pub fn use_of(&self, i: usize) -> &Use {
        i.checked_sub(self.start)
            .and_then(|k| self.uses.get(k))
            .unwrap_or(&Use::Unused)
    }

    fn set(&mut self, i: usize, u: Use) {
        if let Some(slot) = i.checked_sub(self.start).and_then(|k| self.uses.get_mut(k)) {
            *slot = u;
        }
    }

    fn is_free(&self, i: usize) -> bool {
        matches!(self.use_of(i), Use::Unused)
    }

    /// The pairs of a field, in reading order.
    pub fn pairs_of(&self, field: Field) -> impl Iterator<Item = &Pair> {
        self.pairs.iter().filter(move |p| p.field == field)
    }

    /// The first table of a kind.
    pub fn table(&self, kind: TableKind) -> Option<&Table> {
        self.tables.iter().find(|t| t.kind == kind)
    }
}

/// Context shared by the functions of this stage.
pub struct Ctx<'a> {
    pub tokens: &'a Tokens,
    pub vocab: &'a Vocab,
    pub profile: &'a Profile,
}

impl Ctx<'_> {
    fn tok(&self, i: usize) -> &Token {
        &self.tokens.list[i]
    }

    fn word(&self, i: usize) -> Option<&super::vocab::Word> {
        match self.tokens.list.get(i)?.kind {
            Kind::Word(id) => Some(self.vocab.word(id)),
            _ => None,
        }
    }

    fn field(&self, i: usize) -> Option<Field> {
        self.word(i).and_then(|w| w.field)
    }

    fn level(&self, i: usize) -> Option<u8> {
        self.word(i).and_then(|w| w.level.as_ref().map(|l| l.0))
    }

    /// Whether the token may be a 一级 / a 二级 label.
    fn levels(&self, i: usize) -> (bool, bool) {
        self.word(i)
            .map_or((false, false), |w| (w.level1.is_some(), w.level2.is_some()))
    }

    fn section(&self, i: usize) -> Option<Section> {
        self.word(i).and_then(|w| w.section)
    }

    /// A token that labels something (never a value): a field label, column header,
    /// category, section word, page furniture or title.
    fn is_label(&self, i: usize) -> bool {
        match self.tok(i).kind {
            Kind::Title(_) => true,
            // `附表2` above the next form's title.
            Kind::Text | Kind::Value if is_attachment_mark(&self.tok(i).norm) => true,
            Kind::Word(id) => {
                let w = self.vocab.word(id);
                w.field.is_some() || !w.columns.is_empty() || w.section.is_some() || w.noise
            }
            _ => false,
        }
    }
}

/// `附表2`, `附件1`: the number of an attached form.
fn is_attachment_mark(n: &str) -> bool {
    let rest = n.strip_prefix("附表").or_else(|| n.strip_prefix("附件"));
    rest.is_some_and(|r| r.chars().all(|c| c.is_ascii_digit() || c == ':'))
}

/// Build the structures of a segment.
pub fn build(cx: &Ctx, seg: &Segment) -> Structures {
    let mut st = Structures {
        tables: Vec::new(),
        pairs: Vec::new(),
        uses: vec![Use::Unused; seg.end - seg.start],
        start: seg.start,
        end: seg.end,
    };
    for i in seg.start..seg.end {
        match cx.tok(i).kind {
            Kind::Title(_) => st.set(i, Use::Title),
            Kind::Word(id) if cx.vocab.word(id).noise => {
                st.set(i, Use::Noise);
                // Page furniture takes its value with it (`发布时间：2019-04-29`).
                if let Some(v) = next_in_row(cx, i, seg.end) {
                    if !cx.is_label(v) {
                        st.set(v, Use::Noise);
                    }
                }
            }
            _ => {}
        }
    }
    find_tables(cx, seg.start, seg.end, &mut st);
    find_pairs(cx, seg.start, seg.end, &mut st);
    for i in seg.start..seg.end {
        if st.is_free(i) {
            if cx.level(i).is_some() {
                st.set(i, Use::Category);
            } else if cx.section(i).is_some() {
                st.set(i, Use::Section);
            }
        }
    }
    st
}

// ------------------------------------------------------------------ tables

/// The roles a header token has for a table kind.
fn role_in(cx: &Ctx, i: usize, kind: TableKind) -> Option<Role> {
    let w = cx.word(i)?;
    match kind {
        // A flat project list carries the indicator columns after its own.
        TableKind::Projects => w.column(kind).or_else(|| w.column(TableKind::Indicators)),
        _ => w.column(kind),
    }
}

/// Minimum evidence for a header of each kind.
fn header_ok(kind: TableKind, roles: &[Role]) -> bool {
    let has = |r: Role| roles.contains(&r);
    let n = roles.len();
    match kind {
        TableKind::Indicators => {
            (has(Role::Name) || has(Role::Level1) || has(Role::Level2))
                && (has(Role::Target) || has(Role::Actual) || has(Role::Progress))
                && n >= 2
        }
        TableKind::Details => {
            (has(Role::Content) || has(Role::Item)) && (has(Role::Amount) || has(Role::Basis))
        }
        TableKind::Summary => has(Role::Seq) && has(Role::Name) && has(Role::Amount),
        TableKind::Projects => has(Role::Owner) && has(Role::Project) && has(Role::Amount),
        TableKind::KeyTasks => has(Role::Item) && (has(Role::Goal) || has(Role::Owner)),
        TableKind::Money => {
            [
                Role::Initial,
                Role::Annual,
                Role::Executed,
                Role::Rate,
                Role::Forecast,
            ]
            .iter()
            .filter(|r| has(**r))
            .count()
                >= 2
        }
        TableKind::Allocation => {
            (has(Role::Region) || has(Role::Owner) || has(Role::Project))
                && has(Role::Amount)
                && n >= 2
        }
    }
}

const KINDS: [TableKind; 7] = [
    TableKind::Projects,
    TableKind::Indicators,
    TableKind::Money,
    TableKind::Details,
    TableKind::Summary,
    TableKind::KeyTasks,
    TableKind::Allocation,
];

/// A header candidate: consecutive header-word tokens (skipping blanks), possibly over
/// several rows. Returns the best kind and its columns.
fn header_at(cx: &Ctx, start: usize, end: usize) -> Option<(TableKind, Vec<Column>, usize)> {
    let mut run: Vec<usize> = Vec::new();
    let mut i = start;
    let is_col = |k: usize| cx.word(k).is_some_and(|w| !w.columns.is_empty());
    while i < end {
        let t = cx.tok(i);
        if t.is_empty() {
            i += 1;
            continue;
        }
        // `全年预算数(A)300全年执行数(B)`: a value run in between two header words (a
        // money block with its cell borders lost) does not end the header.
        if !is_col(i) {
            if t.kind == Kind::Value && !run.is_empty() && i + 1 < end && is_col(i + 1) {
                i += 1;
                continue;
            }
            break;
        }
        run.push(i);
        i += 1;
    }
    if run.len() < 2 {
        return None;
    }
    let mut best: Option<(TableKind, Vec<Column>, usize)> = None;
    for kind in KINDS {
        let cols = spliced(cx, &run, kind);
        let roles: Vec<Role> = cols.iter().map(|c| c.role).collect();
        // Most words of the run must belong to the kind (stray words mean another kind).
        if cols.len() * 3 < run.len() * 2 || !header_ok(kind, &roles) {
            continue;
        }
        if best.as_ref().is_none_or(|b| cols.len() > b.1.len()) {
            best = Some((kind, cols, *run.last().unwrap_or(&start) + 1));
        }
    }
    best
}

/// The columns of a header that spans several rows. A later row that repeats a column of
/// an earlier one details it (`年度指标值` over `指标性质 | 指标值 | 度量单位`): its columns
/// take that column's place. Otherwise later rows continue the header to the right.
fn spliced(cx: &Ctx, run: &[usize], kind: TableKind) -> Vec<Column> {
    let mut cols: Vec<Column> = Vec::new();
    let mut k = 0;
    while k < run.len() {
        let row = cx.tok(run[k]).row;
        let mut group: Vec<Column> = Vec::new();
        while k < run.len() && cx.tok(run[k]).row == row {
            if let Some(role) = role_in(cx, run[k], kind) {
                group.push(Column {
                    role,
                    token: run[k],
                });
            }
            k += 1;
        }
        let shared = group.iter().find_map(|g| {
            cols.iter()
                .position(|c| c.role == g.role && !matches!(c.role, Role::Level1 | Role::Level2))
        });
        match shared {
            Some(at) if !cols.is_empty() && group.len() > 1 => {
                cols.splice(at..=at, group);
            }
            _ => cols.extend(group),
        }
    }
    cols
}

fn find_tables(cx: &Ctx, start: usize, end: usize, st: &mut Structures) {
    let mut i = start;
    while i < end {
        if !st.is_free(i) || cx.word(i).is_none_or(|w| w.columns.is_empty()) {
            i += 1;
            continue;
        }
        let Some((kind, mut columns, after)) = header_at(cx, i, end) else {
            i += 1;
            continue;
        };
        // A section word just before the header heads a merged first column.
        let lead = prev_non_empty(cx, i, start)
            .is_some_and(|p| cx.section(p).is_some() || cx.field(p) == Some(Field::KeyTasks));
        // Paired long-term/annual column sets: the long-term ones stay as slots of no column.
        let keep = prefer_annual(cx, &columns);
        let slots = header_slots(cx, i, &columns, &keep);
        let mut k = 0;
        columns.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        for c in &columns {
            st.set(c.token, Use::Header(kind, c.role));
        }
        for t in i..after {
            if st.is_free(t) && !cx.tok(t).is_empty() && cx.tok(t).kind != Kind::Value {
                // Header words of no column (a paired long-term column, a shared word).
                st.set(t, Use::Section);
            }
        }
        let stop = table_end(cx, kind, after, end);
        let grid = !cx.tokens.stream && rows_structured(cx, after, stop, slots.len());
        let (rows, cut) = if kind == TableKind::Money {
            money_rows(cx, &columns, i, stop, st)
        } else {
            // Read the rows every way the file allows and keep the one whose cells fit
            // their columns best: by the file's rows (a grid, preferred on a tie), by
            // content (a stream of cells), or by chunks of the header's width where blank
            // cells were kept.
            let has_l2 = columns.iter().any(|c| c.role == Role::Level2);
            let mut cands: Vec<(Vec<TableRow>, i32)> = Vec::new();
            if grid {
                let (rows, score) = grid_rows(cx, kind, &slots, after, stop);
                // Preferred on a tie: the file's own rows.
                cands.push((rows, score + 1));
            }
            let rows = stream_rows(cx, kind, &columns, after, stop, lead, st);
            let score = rows_score(cx, kind, &rows, has_l2);
            cands.push((rows, score));
            let with_lead: Vec<Slot> = std::iter::once(Slot::Lead)
                .chain(slots.iter().copied())
                .collect();
            let bare: Vec<Slot> = slots
                .iter()
                .copied()
                .skip_while(|s| *s == Slot::Lead)
                .collect();
            for s in [&bare, &with_lead] {
                let rows = chunk_rows(cx, kind, s, after, stop, st);
                let score = rows_score(cx, kind, &rows, has_l2);
                cands.push((rows, score));
            }
            if std::env::var_os("JIXIAO_DEBUG_TOKENS").is_some() {
                eprintln!(
                    "  candidates {:?}",
                    cands.iter().map(|c| (c.0.len(), c.1)).collect::<Vec<_>>()
                );
            }
            let mut best = 0;
            for (k, c) in cands.iter().enumerate() {
                if c.1 > cands[best].1 {
                    best = k;
                }
            }
            let mut rows = cands.swap_remove(best).0;
            // The excerpt ends inside a row's first cell (`生態(t`): a fragment, not an
            // indicator; it stays among the unread text.
            let fragment = |r: &TableRow| {
                r.cells.len() == 1
                    && r.get(Role::Name).is_some_and(|p| {
                        cx.tok(p).norm.chars().count() <= 6
                            && (p + 1..cx.tokens.list.len()).all(|k| cx.tok(k).is_empty())
                    })
            };
            // A closing note alone on its line (`附言：…`, `填表说明：…。`) after the rows is
            // not an indicator; it stays among the unread text.
            let note = |r: &TableRow| {
                let filled: Vec<usize> = r
                    .cells
                    .iter()
                    .map(|c| c.1)
                    .filter(|&p| !cx.tok(p).is_empty())
                    .collect();
                let [p] = filled[..] else { return false };
                let n = &cx.tok(p).norm;
                let row_alone = cx
                    .tokens
                    .row(cx.tok(p).row)
                    .iter()
                    .filter(|t| !t.is_empty())
                    .count()
                    == 1;
                row_alone
                    && cx.tok(p).kind == Kind::Text
                    && (n.contains(':') || n.contains('：') || n.ends_with('。'))
                    && !super::vocab::strip_numbering(n).starts_with("指标")
                    && !n.starts_with("指标")
            };
            while rows.len() > 1 && rows.last().is_some_and(note) {
                rows.pop();
            }
            let mut cut = false;
            if stop == end && rows.last().is_some_and(fragment) {
                rows.pop();
                cut = true;
            }
            // A last row with no value at the end of the text: the excerpt stops there
            // (`效益指标 | 经济效益`); a table complete to its last row is not cut.
            let valued = |r: &TableRow| {
                r.cells.iter().any(|(role, p)| {
                    !cx.tok(*p).is_empty()
                        && matches!(
                            role,
                            Role::Target
                                | Role::Actual
                                | Role::Progress
                                | Role::Amount
                                | Role::Executed
                                | Role::Annual
                                | Role::Basis
                        )
                })
            };
            cut |= rows.last().is_some_and(|r| !valued(r));
            for r in &rows {
                mark_row(cx, kind, r, st);
            }
            (rows, cut)
        };
        let cut = cut && stop == end;
        st.tables.push(Table {
            kind,
            columns,
            slots,
            rows,
            start: i,
            end: stop,
            cut,
        });
        i = stop.max(i + 1);
    }
}

/// The header's cells in grid order: the cells of its first row before the first column
/// word (a section label over a merged first column), then the columns.
fn header_slots(cx: &Ctx, first: usize, columns: &[Column], keep: &[bool]) -> Vec<Slot> {
    let row = cx.tok(first).row;
    let mut slots: Vec<Slot> = cx
        .tokens
        .row_range(row)
        .filter(|&k| k < first && !cx.tok(k).is_empty())
        .map(|_| Slot::Lead)
        .collect();
    slots.extend(columns.iter().zip(keep).map(|(c, k)| {
        if *k {
            Slot::Col(c.role)
        } else {
            Slot::Skip(c.role)
        }
    }));
    slots
}

fn prev_non_empty(cx: &Ctx, i: usize, floor: usize) -> Option<usize> {
    (floor..i).rev().find(|&k| !cx.tok(k).is_empty())
}

fn next_in_row(cx: &Ctx, i: usize, end: usize) -> Option<usize> {
    let row = cx.tok(i).row;
    (i + 1..end)
        .take_while(|&k| cx.tok(k).row == row)
        .find(|&k| !cx.tok(k).is_empty())
}

/// Paired long-term and annual columns (长期|年度, 中期|年度): keep the annual ones, which
/// every known template puts last.
fn prefer_annual(cx: &Ctx, columns: &[Column]) -> Vec<bool> {
    let n = columns.len();
    let mut keep = vec![true; n];
    for a in 0..n {
        let later = (a + 1..n).any(|b| columns[b].role == columns[a].role);
        let annual = cx.tok(columns[a].token).norm.contains("年度");
        if later && !annual {
            keep[a] = false;
        }
    }
    keep
}

/// Where a table's rows end: at a sign-off line, a closing section, the next title or
/// another header of a different kind.
fn table_end(cx: &Ctx, kind: TableKind, from: usize, end: usize) -> usize {
    let mut i = from;
    while i < end {
        let t = cx.tok(i);
        if matches!(t.kind, Kind::Title(_)) {
            return i;
        }
        // A numbered heading of a report alone on its line (`3.分析评价申报内容…`) ends a
        // table the report quoted.
        if t.kind == Kind::Text
            && cx
                .tokens
                .row(t.row)
                .iter()
                .filter(|x| !x.is_empty())
                .count()
                == 1
            && super::vocab::strip_numbering(&t.norm).len() < t.norm.len()
            && t.norm.chars().count() >= 8
        {
            return i;
        }
        // 财政部门审核意见 / 初审意见 rows close the form's tables.
        if t.kind == Kind::Text
            && first_in_row(cx, i)
            && (t.norm.contains("审核意见")
                || t.norm.contains("初审意见")
                || t.norm.contains("审批意见"))
        {
            return i;
        }
        // A label of the form (not a column of this table) heading its own row ends the
        // table: `年度绩效目标2(40分)` before a second indicator block.
        if let Some(f) = cx.field(i) {
            let column = role_in(cx, i, kind).is_some();
            let money_row = kind == TableKind::Money;
            if !column
                && !money_row
                && cx.level(i).is_none()
                && f != Field::OtherLabel
                && first_in_row(cx, i)
            {
                return i;
            }
        }
        if let Some(f) = cx.field(i) {
            let closes = match f {
                Field::Head
                | Field::Preparer
                | Field::Date
                | Field::Deviation
                | Field::Measures => true,
                Field::TotalScore => kind != TableKind::Money,
                Field::Grade | Field::Publisher => true,
                // 财政部门审核意见 and other closing labels (not column words).
                Field::OtherLabel => cx.word(i).is_some_and(|w| w.columns.is_empty()),
                _ => false,
            };
            // A label that heads its own row (not a cell inside the table).
            if closes && first_in_row(cx, i) {
                return i;
            }
        }
        if i > from {
            if let Some((k, _, _)) = header_at(cx, i, end) {
                if k != kind || (kind != TableKind::Indicators && kind != TableKind::Money) {
                    return i;
                }
                if k == kind && first_in_row(cx, i) {
                    return i;
                }
            }
        }
        if let Some(s) = cx.section(i) {
            // The heading of another block (年度绩效指标 after the key tasks).
            let own = matches!(
                (s, kind),
                (Section::Indicators, TableKind::Indicators)
                    | (Section::Details, TableKind::Details)
                    | (Section::Money, TableKind::Money)
                    | (Section::Totals, _)
            );
            if !own && first_in_row(cx, i) {
                return i;
            }
        }
        if kind == TableKind::Money {
            // The money block ends where the goals or indicators start.
            if matches!(
                cx.field(i),
                Some(Field::GoalGroup | Field::AnnualGoal | Field::Expected)
            ) {
                return i;
            }
        }
        i += 1;
    }
    end
}

fn first_in_row(cx: &Ctx, i: usize) -> bool {
    // A piece of a cell that ran a whole form together, or a cell of a "row" that is a
    // whole page (a dialect without row marks), has no row of its own to be first in.
    if cx.tok(i).part > 1 || cx.tokens.row_range(cx.tok(i).row).len() > 40 {
        return true;
    }
    let row = cx.tok(i).row;
    !(0..i)
        .rev()
        .take_while(|&k| cx.tok(k).row == row)
        .any(|k| !cx.tok(k).is_empty())
}

/// True when the rows between `a` and `b` carry several cells each (a grid to align).
fn rows_structured(cx: &Ctx, a: usize, b: usize, width: usize) -> bool {
    let mut rows = 0;
    let mut good = 0;
    let mut k = a;
    while k < b {
        let row = cx.tok(k).row;
        let mut count = 0;
        while k < b && cx.tok(k).row == row {
            if !cx.tok(k).is_empty() {
                count += 1;
            }
            k += 1;
        }
        if count == 0 {
            continue;
        }
        rows += 1;
        // A real row has a few cells and no more than the header has columns.
        if count >= 2 && count <= width + 2 {
            good += 1;
        }
    }
    rows > 0 && good * 2 >= rows
}

/// How well a token fits a column; higher is better.
fn fit(cx: &Ctx, kind: TableKind, role: Option<Role>, i: usize, has_l2: bool) -> i32 {
    let t = cx.tok(i);
    let Some(role) = role else {
        return if t.is_empty() { 0 } else { -2 };
    };
    if t.is_empty() {
        return 0;
    }
    let level = cx.level(i);
    let (is1, is2) = cx.levels(i);
    let value = t.kind == Kind::Value;
    let n = t.norm.as_str();
    match role {
        Role::Level1 => match (is1, is2) {
            (true, false) => 3,
            (true, true) => 2,
            (false, true) => -1,
            _ => -3,
        },
        Role::Level2 => match (is1, is2) {
            (false, true) => 3,
            (true, true) => 2,
            (true, false) => -1,
            _ => -3,
        },
        Role::Name | Role::Content | Role::Item | Role::Project | Role::Region => {
            if level.is_some() {
                // Where the table has no 二级 column, a 二级 word is the indicator's name
                // (the 黄石 monitoring form lists 质量/时效/成本 as names).
                if kind == TableKind::Indicators && !has_l2 && is2 {
                    1
                } else {
                    -2
                }
            } else if value && role != Role::Name {
                -1
            } else {
                1
            }
        }
        Role::Nature => {
            if is_nature(n) {
                3
            } else {
                -3
            }
        }
        Role::Target | Role::Actual | Role::Progress | Role::Forecast => {
            if level.is_some() {
                -2
            } else if n.chars().any(|c| c.is_ascii_digit()) {
                2
            } else {
                1
            }
        }
        Role::Unit => {
            if is_unit(n) {
                2
            } else {
                -2
            }
        }
        Role::Standard => {
            if cx.profile.standards.iter().any(|s| s == n) {
                3
            } else {
                -1
            }
        }
        Role::Weight | Role::Score => {
            if is_number(n) {
                1
            } else {
                -1
            }
        }
        Role::Possibility => {
            if jixiao_domain::Possibility::parse(n).is_some() {
                3
            } else {
                -1
            }
        }
        Role::Direction => {
            if n.contains('向') {
                2
            } else {
                -1
            }
        }
        Role::Seq => {
            if n.chars().count() <= 3
                && n.chars()
                    .all(|c| c.is_ascii_digit() || "一二三四五六七八九十、.".contains(c))
            {
                2
            } else if is_total(cx, i) {
                1
            } else {
                -1
            }
        }
        Role::Amount | Role::Initial | Role::Annual | Role::Executed | Role::Rate => {
            if is_number(n) {
                2
            } else {
                -2
            }
        }
        _ => {
            if level.is_some() {
                -3
            } else if value {
                0
            } else {
                1
            }
        }
    }
}

fn is_nature(n: &str) -> bool {
    matches!(
        n,
        "定量"
            | "定性"
            | "≥"
            | "≤"
            | "="
            | "﹦"
            | "═"
            | ">"
            | "<"
            | ">="
            | "<="
            | "≧"
            | "≦"
            | "＝"
            | "正向"
            | "反向"
    )
}

/// A number or an amount as written in a cell: `37`, `95%`, `12万元`, `1,740,000.00元`.
fn is_number(n: &str) -> bool {
    let t = n.strip_suffix('%').unwrap_or(n);
    let t = t.strip_suffix('元').unwrap_or(t);
    let t = t.strip_suffix(['万', '亿']).unwrap_or(t);
    let t = t.strip_suffix('分').unwrap_or(t);
    parse_decimal(t).is_some()
}

fn is_unit(n: &str) -> bool {
    let len = n.chars().count();
    len > 0 && len <= 5 && !n.chars().any(|c| c.is_ascii_digit())
}

fn is_total(cx: &Ctx, i: usize) -> bool {
    cx.section(i) == Some(Section::Totals)
}

/// Align one row's tokens to the header's slots, choosing the shift that fits best.
fn align(cx: &Ctx, kind: TableKind, slots: &[Slot], cells: &[usize]) -> (TableRow, i32) {
    let has_l2 = slots.contains(&Slot::Col(Role::Level2));
    let n = slots.len();
    let mut best: Option<(i32, usize)> = None;
    for offset in 0..n.max(1) {
        let score: i32 = cells
            .iter()
            .enumerate()
            .map(|(k, &t)| match slots.get(k + offset) {
                Some(Slot::Col(role) | Slot::Skip(role)) => fit(cx, kind, Some(*role), t, has_l2),
                // A lead slot takes only what fits nothing (an empty merged cell).
                Some(Slot::Lead) => {
                    if cx.tok(t).is_empty() {
                        0
                    } else {
                        -1
                    }
                }
                None => fit(cx, kind, None, t, has_l2),
            })
            .sum();
        // A row short of cells lost its leading merged cells: it ends in the last column
        // (a row of one cell may as well have lost its trailing empty ones).
        let filled = cells.iter().filter(|&&t| !cx.tok(t).is_empty()).count();
        let score = score + i32::from(filled >= 2 && cells.len() + offset == n);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, offset));
        }
    }
    let (score, offset) = best.unwrap_or((0, 0));
    let mut row = TableRow::default();
    for (k, &t) in cells.iter().enumerate() {
        if let Some(Slot::Col(role)) = slots.get(k + offset) {
            row.cells.push((*role, t));
        }
    }
    (row, score)
}

/// Rows of a file with a row structure, each aligned to the header's slots; with the
/// total fit of the alignments (skipped paired columns included).
fn grid_rows(
    cx: &Ctx,
    kind: TableKind,
    slots: &[Slot],
    from: usize,
    to: usize,
) -> (Vec<TableRow>, i32) {
    let mut out = Vec::new();
    let mut total = 0;
    let mut i = from;
    while i < to {
        let row = cx.tok(i).row;
        let mut cells = Vec::new();
        while i < to && cx.tok(i).row == row {
            cells.push(i);
            i += 1;
        }
        if cells.iter().all(|&t| cx.tok(t).is_empty()) {
            continue;
        }
        let (row, score) = align(cx, kind, slots, &cells);
        out.push(row);
        total += score;
    }
    let n = out.len() as i32;
    (out, total - n)
}

fn mark_row(cx: &Ctx, kind: TableKind, r: &TableRow, st: &mut Structures) {
    for &(role, t) in &r.cells {
        if !cx.tok(t).is_empty() {
            st.set(t, Use::Cell(kind, role));
        }
    }
}

/// Columns that take only what looks like them (a comparator, a unit, a standard, a
/// number); a free-text column takes any text.
fn typed(role: Role) -> bool {
    matches!(
        role,
        Role::Level1
            | Role::Level2
            | Role::Nature
            | Role::Unit
            | Role::Standard
            | Role::Weight
            | Role::Score
            | Role::Direction
            | Role::Seq
            | Role::Amount
            | Role::Initial
            | Role::Annual
            | Role::Executed
            | Role::Rate
            | Role::Possibility
    )
}

fn accepts(cx: &Ctx, kind: TableKind, role: Role, i: usize, has_l2: bool) -> bool {
    let f = fit(cx, kind, Some(role), i, has_l2);
    (if typed(role) { f > 0 } else { f >= 0 }) && !skip_column(cx, role, i)
}

/// Rows assembled from a stream of cells (no row structure): each cell goes to the first
/// remaining column it fits; a category word, or a cell that fits no remaining column,
/// starts a new row. A category followed by nothing is an empty row (kept: the form left
/// it blank), unless the same category follows again (paired long-term/annual columns).
fn stream_rows(
    cx: &Ctx,
    kind: TableKind,
    columns: &[Column],
    from: usize,
    to: usize,
    lead: bool,
    st: &Structures,
) -> Vec<TableRow> {
    let roles: Vec<Role> = columns.iter().map(|c| c.role).collect();
    let has_l2 = roles.contains(&Role::Level2);
    let mut out: Vec<TableRow> = Vec::new();
    let mut cur = TableRow::default();
    // Index in `roles` of the next column to fill.
    let mut next = 0usize;
    let text_col = roles
        .iter()
        .position(|r| {
            matches!(
                r,
                Role::Name | Role::Content | Role::Item | Role::Region | Role::Project | Role::Seq
            )
        })
        .unwrap_or(0);
    let content = |cur: &TableRow| {
        cur.cells
            .iter()
            .any(|(r, _)| !matches!(r, Role::Level1 | Role::Level2))
    };
    let _ = lead;
    // Empty cells since the last category word (the blanks of an empty row).
    let mut blanks: Vec<usize> = Vec::new();
    for i in from..to {
        let t = cx.tok(i);
        if t.is_empty() {
            blanks.push(i);
            continue;
        }
        if !st.is_free(i) {
            continue;
        }
        if matches!(t.kind, Kind::Title(_)) {
            break;
        }
        if kind == TableKind::Indicators || kind == TableKind::Projects {
            if let Some(mut level) = cx.level(i) {
                let (is1, is2) = cx.levels(i);
                // A word of both levels (成本, 满意度指标) is a 二级 under a 一级 just read.
                let l2_of = |p: usize| cx.word(p).and_then(|w| w.level2.clone());
                let repeats_l2 = cur
                    .get(Role::Level2)
                    .is_some_and(|p| l2_of(p).is_some() && l2_of(p) == l2_of(i));
                let following = (i + 1..to).find(|&k| !cx.tok(k).is_empty());
                let next_is_l2 = following.is_some_and(|k| cx.levels(k) == (false, true));
                let next_is_value = following.is_some_and(|k| cx.tok(k).kind == Kind::Value);
                let l1_above = cur.get(Role::Level1).is_some()
                    || out
                        .iter()
                        .rev()
                        .take(8)
                        .any(|r| r.get(Role::Level1).is_some());
                // A 二级 word directly followed by the row's type or value sits in the name
                // column: `成本指标 | 社会成本指标 | 定量 | 100` (older tables name the
                // 三级 after a 2021 二级 category).
                let named_by_l2 = |k: usize| {
                    cx.levels(k) == (false, true)
                        && roles.contains(&Role::Name)
                        && (k + 1..to)
                            .find(|&j| !cx.tok(j).is_empty())
                            .is_some_and(|j| {
                                cx.tok(j).row == cx.tok(k).row
                                    && (cx.tok(j).kind == Kind::Value || is_nature(&cx.tok(j).norm))
                            })
                };
                let next_names = next_is_l2
                    && following.is_some_and(|k| cx.tok(k).row == t.row && named_by_l2(k));
                if is1
                    && is2
                    && has_l2
                    && l1_above
                    && (next_names
                        || (!next_is_l2 && (cur.get(Role::Level2).is_none() || repeats_l2)))
                {
                    level = 2;
                }
                let l2_in_row = cur.get(Role::Level2).is_some_and(|p| {
                    cx.tok(p).row == t.row && (p + 1..i).all(|j| cx.tok(j).is_empty())
                });
                // The same 二级 again, then a value: it is the indicator's name (`成本指标 |
                // 成本 | 10万元`), not a second 二级 column.
                let as_name = (!has_l2
                    && is2
                    && roles.contains(&Role::Name)
                    && cur.get(Role::Level1).is_some())
                    || (repeats_l2 && next_is_value && roles.contains(&Role::Name))
                    || (l2_in_row && !is1 && named_by_l2(i));
                if !as_name {
                    let role = if level == 1 {
                        Role::Level1
                    } else {
                        Role::Level2
                    };
                    let same = role == Role::Level2 && repeats_l2
                        || cur.get(role).is_some_and(|p| {
                            cx.word(p).and_then(|w| w.level.clone())
                                == cx.word(i).and_then(|w| w.level.clone())
                        });
                    if content(&cur) {
                        out.push(std::mem::take(&mut cur));
                    } else if cur.get(Role::Level2).is_some() && !same {
                        // A category with nothing after it: an empty row.
                        let mut empty = std::mem::take(&mut cur);
                        let after = roles
                            .iter()
                            .position(|r| *r == Role::Level2)
                            .map_or(0, |p| p + 1);
                        for (k, b) in blanks.iter().enumerate() {
                            if let Some(r) = roles.get(after + k) {
                                empty.cells.push((*r, *b));
                            }
                        }
                        out.push(empty);
                    }
                    cur.cells
                        .retain(|(r, _)| *r != role && !(level == 1 && *r == Role::Level2));
                    cur.cells.push((role, i));
                    next = roles.iter().position(|r| *r == role).map_or(0, |p| p + 1);
                    blanks.clear();
                    continue;
                }
            }
        }
        blanks.clear();
        if is_total(cx, i) {
            if content(&cur) {
                out.push(std::mem::take(&mut cur));
            }
            cur.cells.push((Role::Seq, i));
            next = roles
                .iter()
                .position(|r| matches!(r, Role::Amount | Role::Executed | Role::Annual))
                .unwrap_or(text_col + 1);
            continue;
        }
        // A new line of the file after a row that has its name and a value starts a new
        // row: a trailing free-text column (备注) does not take the next row's name.
        let last_row = cur.cells.last().map(|&(_, p)| cx.tok(p).row);
        let has_value = cur.cells.iter().any(|&(r, _)| {
            matches!(
                r,
                Role::Target
                    | Role::Amount
                    | Role::Actual
                    | Role::Progress
                    | Role::Executed
                    | Role::Annual
            )
        });
        let new_line =
            last_row.is_some_and(|r| r != t.row) && has_value && cur.get(roles[text_col]).is_some();
        // The first remaining column the token fits; a text the rows above carry in a
        // later free-text column (the same 评(扣)分标准 on every row) stays in it even
        // where the row has no name.
        let repeated = (next..roles.len()).find(|&k| {
            k > text_col
                && matches!(
                    roles[k],
                    Role::ScoringRule | Role::Explanation | Role::Standard | Role::Remark
                )
                && out
                    .iter()
                    .rev()
                    .take(8)
                    .any(|r| r.get(roles[k]).is_some_and(|p| cx.tok(p).norm == t.norm))
        });
        let fits: Option<usize> = if new_line {
            None
        } else if repeated.is_some() && next <= text_col {
            repeated
        } else {
            (next..roles.len()).find(|&k| accepts(cx, kind, roles[k], i, has_l2))
        };
        // Text between a name and its values continues the name (a name wrapped at a
        // page or line break): `取得2018-2022` / `2、监测资料` / `100%`.
        let name_role = roles[text_col];
        let wrapped = t.kind == Kind::Text
            && cur.get(name_role).is_some()
            && !has_value
            && fits
                .is_some_and(|k| matches!(roles[k], Role::Target | Role::Actual | Role::Progress))
            && (i + 1..to)
                .find(|&k| !cx.tok(k).is_empty())
                .is_some_and(|k| cx.tok(k).kind == Kind::Value);
        if wrapped {
            cur.cells.push((name_role, i));
            continue;
        }
        match fits {
            Some(k) if !(k == text_col && content(&cur)) => {
                cur.cells.push((roles[k], i));
                next = k + 1;
            }
            _ if continues_name(cx, out.last().or(Some(&cur)), i, roles[text_col]) => {
                // `各种强制免率、屠宰率` / `100%` / `及检疫率`: a name wrapped around its value.
                let target = if content(&cur) {
                    &mut cur
                } else {
                    out.last_mut().unwrap_or(&mut cur)
                };
                target.cells.push((roles[text_col], i));
            }
            _ => {
                // Starts a new row at the row's text column (a name after a value).
                if content(&cur) {
                    out.push(std::mem::take(&mut cur));
                }
                let k = (text_col..roles.len())
                    .find(|&k| accepts(cx, kind, roles[k], i, has_l2))
                    .unwrap_or(text_col);
                cur.cells.push((roles[k], i));
                next = k + 1;
            }
        }
    }
    if content(&cur) || cur.get(Role::Level2).is_some() {
        out.push(cur);
    }
    out
}

/// A piece of text that continues the name of the row before (a name wrapped onto a
/// second line of a PDF): it starts with a conjunction, or that name ends with one.
fn continues_name(cx: &Ctx, prev: Option<&TableRow>, i: usize, name_role: Role) -> bool {
    let t = cx.tok(i);
    if t.kind != Kind::Text {
        return false;
    }
    let Some(name) = prev.and_then(|r| r.all(name_role).last()) else {
        return false;
    };
    let prev_text = cx.tok(name).norm.as_str();
    let starts = ["及", "和", "与", "以及", "、"]
        .iter()
        .any(|c| t.norm.starts_with(c));
    let ends = ["、", "及", "和", "与"]
        .iter()
        .any(|c| prev_text.ends_with(c));
    (starts || ends) && t.norm.chars().count() <= 12
}

/// The fit of rows read one way: how well every cell fits the column it was put in.
/// Fewer rows for the same cells read better (a goal is a column of its row, not a row).
fn rows_score(cx: &Ctx, kind: TableKind, rows: &[TableRow], has_l2: bool) -> i32 {
    let fits: i32 = rows
        .iter()
        .flat_map(|r| r.cells.iter())
        .map(|&(role, t)| fit(cx, kind, Some(role), t, has_l2))
        .sum();
    fits - rows.len() as i32
}

/// One cell per paragraph with blank cells kept: rows are chunks of the header's width
/// (with or without the merged first column's cell), each aligned to the header.
fn chunk_rows(
    cx: &Ctx,
    kind: TableKind,
    slots: &[Slot],
    from: usize,
    to: usize,
    st: &Structures,
) -> Vec<TableRow> {
    let width = slots.len().max(1);
    let mut out = Vec::new();
    let mut chunk: Vec<usize> = Vec::new();
    for i in from..to {
        if !st.is_free(i) && !cx.tok(i).is_empty() {
            continue;
        }
        if matches!(cx.tok(i).kind, Kind::Title(_)) {
            break;
        }
        chunk.push(i);
        if chunk.len() == width {
            out.push(align(cx, kind, slots, &chunk).0);
            chunk.clear();
        }
    }
    if chunk.iter().any(|&t| !cx.tok(t).is_empty()) {
        out.push(align(cx, kind, slots, &chunk).0);
    }
    out.retain(|r| r.cells.iter().any(|&(_, t)| !cx.tok(t).is_empty()));
    out
}

/// The row labels of a money block.
fn is_money_row_label(cx: &Ctx, i: usize) -> bool {
    matches!(
        cx.field(i),
        Some(
            Field::Amount
                | Field::Fiscal
                | Field::Carryover
                | Field::OtherFunds
                | Field::LocalFunds
                | Field::GeneralPublic
                | Field::GovernmentFund
        )
    ) || cx.section(i) == Some(Section::Totals)
}

/// Rows of a money block: a row label (年度资金总额, 其中：财政拨款 …, stored under
/// `Role::Item`), then its amounts in column order; a percentage goes to 执行率. Numbers
/// the extraction ran together (`1010100%20` for 10 | 10 | 100% | 20) are cut where the
/// rate agrees with the amounts.
fn money_rows(
    cx: &Ctx,
    columns: &[Column],
    from: usize,
    to: usize,
    st: &mut Structures,
) -> (Vec<TableRow>, bool) {
    let roles: Vec<Role> = columns.iter().map(|c| c.role).collect();
    if !cx.tokens.stream && columns.iter().all(|c| cx.tok(c.token).part == 0) {
        if let Some(rows) = money_grid_rows(cx, columns, from, to, st) {
            return (rows, false);
        }
    }
    let mut out: Vec<TableRow> = Vec::new();
    let mut cur: Option<(TableRow, usize)> = None;
    for i in from..to {
        let t = cx.tok(i);
        if t.is_empty() || !st.is_free(i) {
            continue;
        }
        if is_money_row_label(cx, i) {
            if let Some((r, _)) = cur.take() {
                out.push(r);
            }
            st.set(i, Use::Cell(TableKind::Money, Role::Item));
            cur = Some((
                TableRow {
                    cells: vec![(Role::Item, i)],
                },
                0,
            ));
            continue;
        }
        // A value right after its column's header (a money block run together) opens the
        // first row.
        let header_before = (from..i)
            .rev()
            .find(|&k| !cx.tok(k).is_empty())
            .and_then(|k| columns.iter().position(|c| c.token == k));
        if let (Some(col), None) = (header_before, cur.as_ref()) {
            if is_number(&t.norm) {
                let role = columns[col].role;
                st.set(i, Use::Cell(TableKind::Money, role));
                cur = Some((
                    TableRow {
                        cells: vec![(role, i)],
                    },
                    col + 1,
                ));
                continue;
            }
        }
        let Some((row, next)) = cur.as_mut() else {
            continue;
        };
        if !is_number(&t.norm) {
            if matches!(t.norm.as_str(), "-" | "—" | "/" | "——") {
                *next += 1;
            }
            continue;
        }
        // In a grid the value sits under its column's header; else values come in order
        // (a percentage to 执行率).
        let under = (!cx.tokens.stream && t.part == 0)
            .then(|| {
                columns
                    .iter()
                    .position(|c| cx.tok(c.token).col == t.col && cx.tok(c.token).part == 0)
            })
            .flatten();
        let percent = t.norm.ends_with('%');
        let k = if under.is_some() {
            under
        } else if percent {
            roles.iter().position(|r| *r == Role::Rate)
        } else {
            (*next..roles.len()).find(|&k| roles[k] != Role::Rate)
        };
        if let Some(k) = k {
            row.cells.push((roles[k], i));
            st.set(i, Use::Cell(TableKind::Money, roles[k]));
            *next = k + 1;
        }
    }
    if let Some((r, _)) = cur {
        out.push(r);
    }
    (out, false)
}

/// A money block in a grid: each row after the header, its label, then its cells in
/// column order: an empty cell or a placeholder (—) keeps its column, a percentage goes to
/// 执行率 wherever it stands (a 其中 row often leaves out the 分值 cell). `None` when no
/// row holds a value (the block is not a grid).
fn money_grid_rows(
    cx: &Ctx,
    columns: &[Column],
    from: usize,
    to: usize,
    st: &mut Structures,
) -> Option<Vec<TableRow>> {
    let header_row = columns.iter().map(|c| cx.tok(c.token).row).max()?;
    let roles: Vec<Role> = columns.iter().map(|c| c.role).collect();
    let mut out = Vec::new();
    let mut i = from;
    while i < to && cx.tok(i).row <= header_row {
        i += 1;
    }
    while i < to {
        let row = cx.tok(i).row;
        let mut r = TableRow::default();
        let mut next = 0usize;
        while i < to && cx.tok(i).row == row {
            let t = cx.tok(i);
            let k = i;
            i += 1;
            if !st.is_free(k) {
                continue;
            }
            if is_money_row_label(cx, k) && r.get(Role::Item).is_none() && r.cells.is_empty() {
                r.cells.push((Role::Item, k));
                st.set(k, Use::Cell(TableKind::Money, Role::Item));
                continue;
            }
            if r.cells.is_empty() && t.is_empty() {
                // Cells before the row's label (the merged caption column).
                continue;
            }
            if t.is_empty() || matches!(t.norm.as_str(), "-" | "—" | "/" | "——") {
                next += 1;
                continue;
            }
            if !is_number(&t.norm) {
                continue;
            }
            let col = if t.norm.ends_with('%') {
                roles.iter().position(|r| *r == Role::Rate)
            } else {
                (next..roles.len()).find(|&c| roles[c] != Role::Rate)
            };
            if let Some(c) = col {
                r.cells.push((roles[c], k));
                st.set(k, Use::Cell(TableKind::Money, roles[c]));
                next = c + 1;
            }
        }
        if r.cells.iter().any(|(role, _)| *role != Role::Item) {
            out.push(r);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Text columns (explanations, standards) are skipped by a value: `2种` after a name goes
/// to 指标值, not to 指标解释.
fn skip_column(cx: &Ctx, role: Role, i: usize) -> bool {
    let value = cx.tok(i).kind == Kind::Value;
    value
        && matches!(
            role,
            Role::Explanation
                | Role::ScoringRule
                | Role::Remark
                | Role::Deviation
                | Role::Measures
                | Role::Basis
                | Role::Goal
                | Role::PeriodGoal
                | Role::AnnualGoal
        )
}

// ------------------------------------------------------------------ pairs

fn is_group(f: Field) -> bool {
    matches!(
        f,
        Field::AmountGroup | Field::SourceGroup | Field::NatureGroup | Field::KeyTasks
    )
}

/// The tail of a label broken over two cells (`主管部门` / `及编码`).
fn is_label_tail(n: &str) -> bool {
    matches!(
        n,
        "及编码" | "及代码" | "(万元)" | "(元)" | "(子项)" | "万元" | "(盖章)"
    )
}

fn find_pairs(cx: &Ctx, start: usize, end: usize, st: &mut Structures) {
    let mut i = start;
    while i < end {
        let Some(field) = cx.field(i) else {
            i += 1;
            continue;
        };
        if !st.is_free(i) {
            i += 1;
            continue;
        }
        st.set(i, Use::Label(field));
        if is_group(field) {
            i += 1;
            continue;
        }
        let value = value_of(cx, i, start, end, st);
        if let Some(v) = value {
            st.set(v, Use::Value(field));
        }
        st.pairs.push(Pair {
            field,
            label: i,
            value,
        });
        i += 1;
    }
}

/// The value of the label at `i`: the next cell in its row (blank cells skipped unless a
/// label follows), the cell below when a row of labels sits over a row of values, or in a
/// stream of cells the next cell (a run of labels followed by as many values is paired by
/// position).
fn value_of(cx: &Ctx, i: usize, start: usize, end: usize, st: &Structures) -> Option<usize> {
    let t = cx.tok(i);
    // The rest of the label's own cell (`项目支出2`, `资金总额：35`).
    if let Some(k) = (i + 1 < end).then_some(i + 1) {
        let n = cx.tok(k);
        if t.part > 0 && n.row == t.row && n.cell == t.cell && !n.is_empty() {
            return (!cx.is_label(k) && cx.level(k).is_none() && st.is_free(k)).then_some(k);
        }
    }
    if cx.tokens.stream {
        if let Some(found) = value_in_label_run(cx, i, start, end, st) {
            return found;
        }
    }
    // Same row (the same cell's next piece included).
    let mut k = i + 1;
    while k < end && cx.tok(k).row == t.row {
        let n = &cx.tok(k).norm;
        if !n.is_empty() && !is_label_tail(n) {
            if cx.is_label(k) || cx.level(k).is_some() || !st.is_free(k) {
                // `项目金额 | 金额 | …`: labels side by side, values in the next row.
                if k == i + 1 && !cx.tokens.stream && cx.tok(k).part == 0 {
                    return value_below(cx, i, end, st);
                }
                return None;
            }
            return Some(k);
        }
        k += 1;
    }
    let row_len = cx.tokens.row(t.row).len();
    let labels_in_row = cx
        .tokens
        .row_range(t.row)
        .filter(|&k| cx.is_label(k))
        .count();
    if !cx.tokens.stream && row_len > 1 && labels_in_row > 1 {
        if let Some(q) = value_below(cx, i, end, st) {
            return Some(q);
        }
    }
    if cx.tokens.stream || row_len <= 1 || k >= end || cx.tok(k).row != t.row {
        // Continue into the following rows for a handful of cells.
        let mut seen = 0;
        while k < end {
            let n = &cx.tok(k).norm;
            seen += 1;
            if seen > 4 {
                break;
            }
            if n.is_empty() || is_label_tail(n) {
                k += 1;
                continue;
            }
            if cx.is_label(k) || cx.level(k).is_some() || !st.is_free(k) {
                return None;
            }
            return Some(k);
        }
    }
    None
}

/// In a stream, a run of labels followed by a run of as many values (a header row over its
/// value row, flattened): pair them by position. Group headings have no value of their
/// own. `None` when `i` is not in such a run.
fn value_in_label_run(
    cx: &Ctx,
    i: usize,
    start: usize,
    end: usize,
    st: &Structures,
) -> Option<Option<usize>> {
    let window: Vec<usize> = (i.saturating_sub(24).max(start)..end.min(i + 40))
        .filter(|&k| !cx.tok(k).is_empty() && !is_label_tail(&cx.tok(k).norm))
        .collect();
    let at = window.iter().position(|&k| k == i)?;
    // Labels of this run already paired (processed before `i`) still belong to it.
    let is_label = |k: usize| {
        cx.field(k).is_some()
            && (st.is_free(k) || matches!(st.use_of(k), Use::Label(_)) && k > i.saturating_sub(24))
            || k == i
    };
    let next_is_label = window.get(at + 1).is_some_and(|&k| is_label(k));
    let prev_is_label = at > 0 && is_label(window[at - 1]);
    if !next_is_label && !prev_is_label {
        return None;
    }
    let mut a = at;
    while a > 0 && is_label(window[a - 1]) {
        a -= 1;
    }
    let mut b = at;
    while b + 1 < window.len() && is_label(window[b + 1]) {
        b += 1;
    }
    let labels: Vec<usize> = window[a..=b]
        .iter()
        .copied()
        .filter(|&k| !cx.field(k).is_some_and(is_group))
        .collect();
    // Values already paired with an earlier label of this same run still count.
    let values: Vec<usize> = window[b + 1..]
        .iter()
        .copied()
        .take_while(|&k| {
            !cx.is_label(k)
                && cx.level(k).is_none()
                && (st.is_free(k) || matches!(st.use_of(k), Use::Value(_)))
        })
        .collect();
    if labels.len() < 2 || values.len() != labels.len() {
        return None;
    }
    // A value written in its label's own cell (`项目支出2`) means these are pairs, not a
    // row of labels over a row of values.
    let same_cell = |a: usize, b: usize| {
        let (x, y) = (cx.tok(a), cx.tok(b));
        x.row == y.row && x.cell == y.cell
    };
    if values
        .iter()
        .any(|&v| window[a..=b].iter().any(|&l| same_cell(l, v)))
    {
        return None;
    }
    let Some(p) = labels.iter().position(|&k| k == i) else {
        return Some(None);
    };
    Some(Some(values[p]))
}

fn value_below(cx: &Ctx, i: usize, end: usize, st: &Structures) -> Option<usize> {
    let t = cx.tok(i);
    let below = t.row + 1;
    if below >= cx.tokens.rows() {
        return None;
    }
    let range = cx.tokens.row_range(below);
    if range.start >= end {
        return None;
    }
    let q = range
        .clone()
        .find(|&k| cx.tok(k).col == t.col)
        .or_else(|| {
            let idx = i - cx.tokens.row_range(t.row).start;
            Some(range.start + idx).filter(|k| range.contains(k))
        })?;
    if cx.tok(q).is_empty() || cx.is_label(q) || !st.is_free(q) {
        None
    } else {
        Some(q)
    }
}
