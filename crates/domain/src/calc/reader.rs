//! Reading the statements: every number outside a written equation becomes a [`Figure`]
//! with a role, and the figures, equations, `其中` markers and separators are then read in
//! text order ([`Reader::read_statements`]) so each check sees what came before it.

use rust_decimal::Decimal;

use super::arith::{compare, format_decimal, unit_candidates, yuan_per, Value};
use super::equations::{find_runs, WrittenEquation};
use super::keywords::{
    classify, has_price_word, is_yearly, parts_marker, per_units_in_lead, total_word, Role,
};
use super::lexer::{words_before, Place, SectionStyle, Separator, Token, TokenKind};
use super::number::Number;
use super::totals::PartsList;
use super::units::WrittenUnit;
use super::{Equation, MAX_SUBSET_COUNTS};
use crate::money::MoneyUnit;

/// A number of the text with what the words around it make of it.
#[derive(Clone, Debug)]
pub(super) struct Figure {
    /// In 元 for money; as written (magnitude applied) otherwise.
    pub(super) amount: Decimal,
    pub(super) money_unit: Option<MoneyUnit>,
    /// The value in its own unit, as written.
    pub(super) value: Decimal,
    pub(super) digits: String,
    /// Decimals as written (the precision a total is held to).
    pub(super) decimals: u32,
    /// The number with its unit as shown in equations (`5000元/个`, `8万`).
    pub(super) label: String,
    /// The number and unit without `/年`: how a yearly amount reads as a part.
    pub(super) core_label: String,
    pub(super) count_unit: String,
    pub(super) role: Role,
    /// What the figure is per (`个` in `5000元/个`, `次`, `人` in `平均每次每人100元`).
    pub(super) per: Vec<String>,
    /// The words before name it a unit price (`单价`, `标准`).
    pub(super) has_price_word: bool,
    /// The words just before the number.
    pub(super) lead: String,
    /// `合计`, `共计` …: the figure states a total.
    pub(super) total_word: Option<String>,
    pub(super) approximate: bool,
    /// Computed by the engine (an equation's result, an implied product) or already checked
    /// as a total: it is held exactly to what it sums.
    pub(super) derived: bool,
    /// Read as the total of other figures.
    pub(super) is_total: bool,
    /// Already counted as a part of a checked total: not offered to another.
    pub(super) used: bool,
    /// The figure (a total, an area) it was counted in, when `used`.
    pub(super) part_of: Option<usize>,
    /// The token of the number (the last token of an equation for its result).
    pub(super) token: usize,
    pub(super) place: Place,
}

impl Figure {
    /// A figure of `role` at token `t` after `lead`: what every figure takes from its place
    /// in the text. The number itself is left zero and unlabelled for the caller to fill.
    pub(super) fn at(tokens: &[Token], index: usize, role: Role, lead: String) -> Figure {
        let t = &tokens[index];
        let total_word = if role == Role::Part {
            total_word(&lead)
        } else {
            None
        };
        Figure {
            amount: Decimal::ZERO,
            money_unit: None,
            value: Decimal::ZERO,
            digits: String::new(),
            decimals: 0,
            label: String::new(),
            core_label: String::new(),
            count_unit: String::new(),
            role,
            per: Vec::new(),
            has_price_word: false,
            lead,
            total_word,
            approximate: false,
            derived: false,
            is_total: false,
            used: false,
            part_of: None,
            token: index,
            place: t.place,
        }
    }

    /// The value as the text states it, with its unit (`12万元`, `16.17%`, `200人次`).
    pub(super) fn stated(&self) -> String {
        match self.money_unit {
            Some(u) => format!("{}{}", self.digits, u.label()),
            None if self.role == Role::Percent => format!("{}%", self.digits),
            None => format!("{}{}", self.digits, self.count_unit),
        }
    }

    pub(super) fn addend(&self) -> Addend {
        Addend {
            amount: self.amount,
            money_unit: self.money_unit,
            label: self.label.clone(),
            derived: self.derived,
            alternatives: Vec::new(),
        }
    }
}

/// One addend of a total.
#[derive(Clone, Debug)]
pub(super) struct Addend {
    /// In 元 when `money_unit` is set; a bare number otherwise.
    pub(super) amount: Decimal,
    pub(super) money_unit: Option<MoneyUnit>,
    pub(super) label: String,
    pub(super) derived: bool,
    /// Other readings of an implied product (over subsets of its counts).
    pub(super) alternatives: Vec<Decimal>,
}

/// Quantities and a unit price stated in words in one sentence (`200人次/年，每次500元`):
/// their product is an implied amount.
#[derive(Clone, Debug)]
pub(super) struct PricedGroup {
    /// Figure indices of the quantities.
    pub(super) counts: Vec<usize>,
    /// Figure indices of the unit prices (one makes a product; more is ambiguous).
    pub(super) prices: Vec<usize>,
    pub(super) sentence: usize,
    /// An amount came after it: later quantities start a new group.
    pub(super) closed: bool,
    /// Already used as a term of a checked total or matched with an equation.
    pub(super) used: bool,
}

/// What the statement pass reads, in text order.
pub(super) enum Event {
    Figure(usize),
    /// A written equation, and the figure of its stated result.
    Equation {
        index: usize,
        result: Option<usize>,
    },
    /// `其中` (or `包括`, `含`), with how many figures precede it.
    PartsMarker {
        name: &'static str,
        depth: usize,
        period: usize,
        figures_before: usize,
    },
    /// An opening bracket right after an amount (`90万(设备采购40万元,…)`): what follows
    /// may be its parts. `depth` is inside the bracket.
    BracketAfterAmount {
        figure: usize,
        depth: usize,
    },
    /// A closing bracket, at the depth inside it.
    CloseBracket(usize),
    /// A section number (`一、`, `(1)`), at the depth of the text it opens.
    Section {
        style: SectionStyle,
        depth: usize,
        figures_before: usize,
    },
    Break(Separator),
}

/// Where a section number stands: between figure `figures_before - 1` and `figures_before`.
#[derive(Clone, Copy, Debug)]
pub(super) struct SectionMark {
    pub(super) style: SectionStyle,
    pub(super) figures_before: usize,
    /// The bracket depth of the text the section opens.
    pub(super) depth: usize,
}

/// The state of reading one text.
pub(super) struct Reader<'a> {
    pub(super) chars: &'a [char],
    pub(super) tokens: &'a [Token],
    pub(super) figures: Vec<Figure>,
    pub(super) written: Vec<WrittenEquation>,
    pub(super) events: Vec<Event>,
    pub(super) groups: Vec<PricedGroup>,
    /// The checks made so far, in order.
    pub(super) equations: Vec<Equation>,
    /// Open `其中` lists, innermost last (a bracketed 其中 inside another).
    pub(super) open_lists: Vec<PartsList>,
    /// The last figure read as a total: a later total covers only what follows it first.
    pub(super) last_total: Option<usize>,
    /// Groups before this index belong to an earlier total.
    pub(super) groups_floor: usize,
    /// Figures before this index belong to an earlier rate.
    pub(super) rate_floor: usize,
    /// Figures before this index belong to an earlier area.
    pub(super) area_floor: usize,
    pub(super) has_rate: bool,
    /// An amount came after the last group: the group is not what the next equation computes.
    pub(super) amount_since_group: bool,
    /// Figures before this index are in an earlier section: no `其中` after it reaches back.
    pub(super) section_floor: usize,
    /// Section numbers, in text order.
    pub(super) sections: Vec<SectionMark>,
    /// Section styles in the order the text first uses them (outer levels first).
    pub(super) styles_seen: Vec<SectionStyle>,
    /// Totals stated before their parts (`资金总额 250.5 项目支出 80.2 …`), read at the end.
    pub(super) forward_totals: Vec<usize>,
    /// Stated totals whose parts the text gives but the engine could not tie to them.
    pub(super) unchecked: Vec<usize>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(chars: &'a [char], tokens: &'a [Token]) -> Self {
        Reader {
            chars,
            tokens,
            figures: Vec::new(),
            written: Vec::new(),
            events: Vec::new(),
            groups: Vec::new(),
            equations: Vec::new(),
            open_lists: Vec::new(),
            last_total: None,
            groups_floor: 0,
            rate_floor: 0,
            area_floor: 0,
            has_rate: false,
            amount_since_group: false,
            section_floor: 0,
            sections: Vec::new(),
            styles_seen: Vec::new(),
            forward_totals: Vec::new(),
            unchecked: Vec::new(),
        }
    }

    /// The normalised text between two char offsets.
    pub(super) fn text(&self, from: usize, to: usize) -> String {
        self.chars[from.min(to)..to].iter().collect()
    }

    // ---- pass 1: equations and figures

    /// Evaluate the written equations and turn every other number into a figure, recording
    /// the events the statement pass reads.
    pub(super) fn read_figures(&mut self) {
        let tokens = self.tokens;
        let mut in_run = vec![false; tokens.len()];
        let mut equation_ending_at: Vec<Option<usize>> = vec![None; tokens.len()];
        for run in find_runs(tokens) {
            for &i in &run {
                in_run[i] = true;
            }
            if let Some(eq) = self.read_equation(&run) {
                if let Some(&last) = run.last() {
                    equation_ending_at[last] = Some(self.written.len());
                    self.written.push(eq);
                }
            }
        }
        for (i, t) in tokens.iter().enumerate() {
            let prev = i.checked_sub(1).map(|p| &tokens[p].kind);
            match &t.kind {
                TokenKind::Number(n) if !in_run[i] && !n.noise => {
                    let figure = self.figure_from_number(i, n);
                    self.events.push(Event::Figure(self.figures.len()));
                    self.figures.push(figure);
                }
                TokenKind::Word(w) => {
                    if let Some(name) = parts_marker(w, prev) {
                        self.events.push(Event::PartsMarker {
                            name,
                            depth: t.place.depth,
                            period: t.place.period,
                            figures_before: self.figures.len(),
                        })
                    }
                }
                TokenKind::Open => {
                    let before =
                        tokens[..i].iter().enumerate().rev().find(|(_, b)| {
                            !matches!(b.kind, TokenKind::Separator(Separator::Space))
                        });
                    if let Some((b, TokenKind::Number(n))) = before.map(|(b, t)| (b, &t.kind)) {
                        if !in_run[b] && !n.noise && !self.figures.is_empty() {
                            self.events.push(Event::BracketAfterAmount {
                                figure: self.figures.len() - 1,
                                depth: t.place.depth,
                            });
                        }
                    }
                }
                TokenKind::Close => self.events.push(Event::CloseBracket(t.place.depth)),
                TokenKind::Section(style) => {
                    let depth = t.place.depth - usize::from(style.bracketed() && t.place.depth > 0);
                    self.sections.push(SectionMark {
                        style: *style,
                        figures_before: self.figures.len(),
                        depth,
                    });
                    self.events.push(Event::Section {
                        style: *style,
                        depth,
                        figures_before: self.figures.len(),
                    });
                }
                TokenKind::Separator(s) if *s >= Separator::Semi => {
                    self.events.push(Event::Break(*s))
                }
                _ => {}
            }
            if let Some(index) = equation_ending_at[i] {
                let result = self.written[index].result.take().map(|figure| {
                    self.figures.push(figure);
                    self.figures.len() - 1
                });
                self.events.push(Event::Equation { index, result });
            }
        }
        self.settle_yearly_prices();
    }

    fn figure_from_number(&self, i: usize, n: &Number) -> Figure {
        let t = &self.tokens[i];
        let lead = words_before(self.tokens, i);
        let (money_unit, amount, count_unit) = match &n.unit {
            WrittenUnit::Money(u) => (
                Some(*u),
                n.value.checked_mul(yuan_per(*u)).unwrap_or(n.value),
                String::new(),
            ),
            WrittenUnit::Count(c) => (None, n.value, c.clone()),
            _ => (None, n.value, String::new()),
        };
        let mut per = n.per.clone();
        per.extend(per_units_in_lead(&lead));
        let has_price_word = has_price_word(&lead);
        let role = match &n.unit {
            WrittenUnit::Percent => Role::Percent,
            WrittenUnit::Count(_) => Role::Count,
            _ => classify(&lead, n.approximate, !per.is_empty() || has_price_word),
        };
        let label_end = if role == Role::Part {
            n.core_end
        } else {
            t.end
        };
        let core_label = self.text(t.start, n.core_end);
        Figure {
            amount,
            money_unit,
            value: n.value,
            digits: n.digits.clone(),
            decimals: n.decimals,
            label: self.text(t.start, label_end),
            core_label,
            count_unit,
            per,
            has_price_word,
            approximate: n.approximate,
            ..Figure::at(self.tokens, i, role, lead)
        }
    }

    /// `专职人员工作经费8万/年` is the year's amount (a part), unless the sentence counts years
    /// (`租金2万元/年，租期3年`), when it is a unit price.
    fn settle_yearly_prices(&mut self) {
        let year_sentences: Vec<usize> = self
            .figures
            .iter()
            .filter(|f| f.role == Role::Count && f.count_unit.ends_with('年'))
            .map(|f| f.place.sentence)
            .collect();
        for f in &mut self.figures {
            if f.role == Role::Price
                && !f.has_price_word
                && is_yearly(&f.per)
                && !year_sentences.contains(&f.place.sentence)
            {
                f.role = Role::Part;
                f.total_word = total_word(&f.lead);
                f.label = f.core_label.clone();
            }
        }
    }

    // ---- pass 2: statements in order

    /// Read the events in text order, making every check.
    pub(super) fn read_statements(&mut self) {
        let events = std::mem::take(&mut self.events);
        for e in &events {
            match *e {
                Event::Figure(i) => self.on_figure(i),
                Event::Equation { index, result } => self.on_equation(index, result),
                Event::PartsMarker {
                    name,
                    depth,
                    period,
                    figures_before,
                } => {
                    self.close_lists(depth);
                    self.open_list(name, depth, period, figures_before);
                }
                Event::BracketAfterAmount { figure, depth } => {
                    self.open_bracket_list(figure, depth)
                }
                Event::CloseBracket(depth) => self.close_lists_at_bracket(depth + 1),
                Event::Section {
                    style,
                    depth,
                    figures_before,
                } => {
                    self.section_floor = figures_before;
                    self.on_section(style, depth)
                }
                Event::Break(s) => {
                    if s >= Separator::Period {
                        self.close_lists(0);
                    }
                }
            }
        }
        self.close_lists(0);
        self.read_outline();
        self.read_forward_totals();
    }

    /// A section number ends the `其中` lists opened inside an earlier section of the same
    /// or an outer level; numbers of a new, inner level may number the parts of a list.
    fn on_section(&mut self, style: SectionStyle, depth: usize) {
        let level = match self.styles_seen.iter().position(|s| *s == style) {
            Some(p) => p,
            None => {
                self.styles_seen.push(style);
                self.styles_seen.len() - 1
            }
        };
        while self
            .open_lists
            .last()
            .is_some_and(|l| l.depth >= depth && level < l.styles_before)
        {
            if let Some(list) = self.open_lists.pop() {
                self.check_list(list, false);
            }
        }
    }

    pub(super) fn on_figure(&mut self, i: usize) {
        match self.figures[i].role {
            Role::Percent => {
                self.taint_bracket_list(i);
                self.on_percent(i)
            }
            Role::Count => {
                self.add_to_group(i);
                self.check_area(i);
            }
            Role::Price => self.add_to_group(i),
            Role::Part if self.figures[i].total_word.is_some() => self.on_total(i),
            Role::Part => {
                self.close_group();
                self.amount_since_group = true;
                let depth = self.figures[i].place.depth;
                if let Some(list) = self.open_lists.last_mut().filter(|l| l.total.is_some()) {
                    if depth == list.depth {
                        list.parts.push(i);
                    } else if depth > list.depth {
                        list.nested.push(i);
                    }
                }
            }
            Role::Reference | Role::Change(_) => {
                self.close_group();
                self.amount_since_group = true;
                self.taint_bracket_list(i);
            }
        }
    }

    fn add_to_group(&mut self, i: usize) {
        let sentence = self.figures[i].place.sentence;
        let is_price = self.figures[i].role == Role::Price;
        let open = self
            .groups
            .last_mut()
            .filter(|g| !g.closed && !g.used && g.sentence == sentence);
        let g = match open {
            Some(g) => g,
            None => {
                self.groups.push(PricedGroup {
                    counts: Vec::new(),
                    prices: Vec::new(),
                    sentence,
                    closed: false,
                    used: false,
                });
                self.groups.last_mut().expect("just pushed")
            }
        };
        if is_price {
            g.prices.push(i);
        } else {
            g.counts.push(i);
        }
        self.amount_since_group = false;
    }

    pub(super) fn close_group(&mut self) {
        if let Some(g) = self.groups.last_mut() {
            g.closed = true;
        }
    }

    /// Quantity × unit price of a group, when it has one price and at least one count.
    /// `with_alternatives`: also the products over subsets of the counts (a count that is
    /// not a factor, `3个乡镇100名群众`).
    pub(super) fn group_addend(&self, g: &PricedGroup, with_alternatives: bool) -> Option<Addend> {
        if g.used || g.prices.len() != 1 {
            return None;
        }
        let price = &self.figures[g.prices[0]];
        price.money_unit?;
        let counts: Vec<&Figure> = g
            .counts
            .iter()
            .map(|&c| &self.figures[c])
            .filter(|c| !c.used)
            .collect();
        if counts.is_empty() {
            return None;
        }
        let mut full = price.amount;
        for c in &counts {
            full = full.checked_mul(c.value)?;
        }
        let mut alternatives = Vec::new();
        if with_alternatives && counts.len() <= MAX_SUBSET_COUNTS {
            let all = (1usize << counts.len()) - 1;
            for mask in 1..all {
                let mut v = price.amount;
                for (b, c) in counts.iter().enumerate() {
                    if mask & (1 << b) != 0 {
                        v = v.checked_mul(c.value)?;
                    }
                }
                alternatives.push(v);
            }
        }
        let mut labels: Vec<&str> = counts.iter().map(|c| c.label.as_str()).collect();
        labels.push(&price.label);
        Some(Addend {
            amount: full,
            money_unit: price.money_unit,
            label: labels.join("×"),
            derived: true,
            alternatives,
        })
    }

    /// Prices that make no single product (two prices, or a price without quantities).
    pub(super) fn group_is_ambiguous(&self, g: &PricedGroup) -> bool {
        !g.used && !g.prices.is_empty() && self.group_addend(g, false).is_none()
    }

    fn on_equation(&mut self, index: usize, result: Option<usize>) {
        self.equations
            .extend(self.written[index].checks.iter().cloned());
        self.price_quantities(index);
        self.match_words(index);
        self.close_group();
        if let Some(figure) = result {
            self.on_figure(figure);
        }
    }

    /// The quantities stated in words just before an equation should be the ones it
    /// multiplies (`会议费用8次，每次50人，平均每次每人100元；8*50*100=40000元`).
    fn match_words(&mut self, index: usize) {
        let eq = &self.written[index];
        let (Some(factors), Some(left)) = (&eq.factors, eq.left) else {
            return;
        };
        let Some(gi) = self.groups.len().checked_sub(1) else {
            return;
        };
        let g = &self.groups[gi];
        let near = g.sentence == eq.sentence || g.sentence + 1 == eq.sentence;
        if g.used || g.prices.len() != 1 || g.counts.is_empty() || !near || self.amount_since_group
        {
            return;
        }
        let mut words: Vec<Decimal> = g.counts.iter().map(|&c| self.figures[c].value).collect();
        words.push(self.figures[g.prices[0]].value);
        if words.len() != factors.len() || factors.len() < 2 {
            return;
        }
        let mut matched = vec![false; words.len()];
        let mut shared = 0;
        for f in factors {
            if let Some(p) = (0..words.len()).find(|&p| !matched[p] && words[p] == *f) {
                matched[p] = true;
                shared += 1;
            }
        }
        if shared + 1 < factors.len() {
            return;
        }
        let Some(addend) = self.group_addend(g, false) else {
            return;
        };
        let Some(price_unit) = self.figures[g.prices[0]].money_unit else {
            return;
        };
        let readings: Vec<Decimal> = if left.is_money {
            vec![left.amount]
        } else {
            unit_candidates(eq.stated_unit.or(Some(price_unit)))
                .into_iter()
                .filter_map(|u| left.amount.checked_mul(yuan_per(u)))
                .collect()
        };
        let Some(&left_yuan) = readings
            .iter()
            .find(|r| **r == addend.amount)
            .or(readings.first())
        else {
            return;
        };
        let (Some(c), Some(s)) = (
            addend.amount.checked_div(yuan_per(price_unit)),
            left_yuan.checked_div(yuan_per(price_unit)),
        ) else {
            return;
        };
        let check = Equation {
            text: format!("{}={}", addend.label, eq.left_text),
            computed: format!("{}{}", format_decimal(c, 6), price_unit.label()),
            stated: format!("{}{}", format_decimal(s, 6), price_unit.label()),
            holds: addend.amount == left_yuan,
        };
        self.equations.push(check);
        self.groups[gi].used = true;
    }

    /// `按照每人每月500元标准，10人×12个月=6万元`: the quantities times the price before them.
    fn price_quantities(&mut self, index: usize) {
        let Some(unpriced) = self.written[index].unpriced.clone() else {
            return;
        };
        let sentence = self.written[index].sentence;
        let Some(gi) = self.groups.len().checked_sub(1) else {
            return;
        };
        let g = &self.groups[gi];
        if g.used || g.prices.len() != 1 || !(g.sentence == sentence || g.sentence + 1 == sentence)
        {
            return;
        }
        let price = &self.figures[g.prices[0]];
        let (Some(price_unit), Some(amount)) = (
            price.money_unit,
            unpriced.quantities.amount.checked_mul(price.amount),
        ) else {
            return;
        };
        let priced = Value {
            amount,
            is_money: true,
            unit_hint: Some(price_unit),
            divided: unpriced.quantities.divided,
        };
        let Some(cmp) = compare(&priced, &unpriced.stated) else {
            return;
        };
        self.equations.push(Equation {
            text: format!("{}×{}", price.label, unpriced.text),
            computed: cmp.computed,
            stated: unpriced.stated.display(),
            holds: cmp.holds,
        });
        self.groups[gi].used = true;
    }
}
