//! Rates (`执行率16.17%`, growth after `增加`) against the amounts before them, and areas
//! and volumes (`长4.5米,宽3米,占地13.5平方米`) against their sides.

use rust_decimal::Decimal;

use super::arith::{agrees, format_decimal};
use super::keywords::{growth_word, rate_word, Role, DIMENSION_HINTS};
use super::reader::Reader;
use super::units::{AREA_UNITS, VOLUME_UNITS};
use super::{Equation, MAX_RATE_AMOUNTS};

impl Reader<'_> {
    /// `执行率16.17%`, `增加31.39%`: a rate against the amounts before it on its line. Every
    /// ordered pair of the last few amounts is tried (which is the numerator is not said).
    pub(super) fn on_percent(&mut self, i: usize) {
        let rate = self.figures[i].clone();
        let rate_name = rate_word(&rate.lead);
        let growth = growth_word(&rate.lead);
        if rate_name.is_none() && growth.is_none() {
            return;
        }
        self.close_group();
        self.has_rate = true;
        let floor = self.rate_floor;
        self.rate_floor = i + 1;
        if rate.approximate || rate.lead.contains('约') {
            return;
        }
        let mut scope: Vec<usize> = (floor..i)
            .filter(|&j| {
                let x = &self.figures[j];
                matches!(x.role, Role::Part | Role::Reference | Role::Change(_))
                    && x.place.line == rate.place.line
            })
            .collect();
        if scope.len() > MAX_RATE_AMOUNTS {
            scope.drain(..scope.len() - MAX_RATE_AMOUNTS);
        }
        let same_kind = |a: usize, b: usize| {
            self.figures[a].money_unit.is_some() == self.figures[b].money_unit.is_some()
        };
        let amount = |j: usize| self.figures[j].amount;
        let label = |j: usize| self.figures[j].label.clone();
        // (value in %, how it was computed)
        let mut readings: Vec<(Decimal, String)> = Vec::new();
        let percent = |num: Option<Decimal>, den: Option<Decimal>| -> Option<Decimal> {
            let (num, den) = (num?, den?);
            if den.is_zero() {
                return None;
            }
            num.checked_div(den)?.checked_mul(Decimal::ONE_HUNDRED)
        };
        let name;
        if let Some(word) = rate_name {
            name = word.to_string();
            let n = scope.len();
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            if n >= 2 {
                pairs.push((scope[n - 1], scope[n - 2]));
            }
            for &a in &scope {
                for &b in &scope {
                    if a != b && !pairs.contains(&(a, b)) {
                        pairs.push((a, b));
                    }
                }
            }
            for (a, b) in pairs {
                if same_kind(a, b) {
                    if let Some(v) = percent(Some(amount(a)), Some(amount(b))) {
                        readings.push((v, format!("{}÷{}", label(a), label(b))));
                    }
                }
            }
        } else {
            let increase = growth.unwrap_or(true);
            name = if increase { "增长率" } else { "下降率" }.to_string();
            let change = scope
                .iter()
                .rposition(|&j| self.figures[j].role == Role::Change(increase));
            let base = change.and_then(|d| {
                scope[..d]
                    .iter()
                    .rposition(|&j| !matches!(self.figures[j].role, Role::Change(_)))
            });
            if let (Some(d), Some(b)) = (change, base) {
                let (d, a) = (scope[d], scope[b]);
                if same_kind(d, a) {
                    let (dv, av) = (amount(d), amount(a));
                    let prior = if increase {
                        av.checked_sub(dv)
                    } else {
                        av.checked_add(dv)
                    };
                    let sign = if increase { "-" } else { "+" };
                    if let Some(v) = percent(Some(dv), prior) {
                        readings.push((
                            v,
                            format!("{}÷({}{}{})", label(d), label(a), sign, label(d)),
                        ));
                    }
                    if let Some(v) = percent(Some(dv), Some(av)) {
                        readings.push((v, format!("{}÷{}", label(d), label(a))));
                    }
                }
            } else {
                let plain: Vec<usize> = scope
                    .iter()
                    .copied()
                    .filter(|&j| !matches!(self.figures[j].role, Role::Change(_)))
                    .collect();
                if plain.len() >= 2 {
                    let (x, y) = (plain[plain.len() - 2], plain[plain.len() - 1]);
                    if same_kind(x, y) {
                        let (xv, yv) = (amount(x), amount(y));
                        // either amount may be the earlier year's
                        for ((a, av), (b, bv)) in [((x, xv), (y, yv)), ((y, yv), (x, xv))] {
                            let change = if increase {
                                bv.checked_sub(av)
                            } else {
                                av.checked_sub(bv)
                            };
                            if let Some(v) = percent(change, Some(av)) {
                                let text = if increase {
                                    format!("({}-{})÷{}", label(b), label(a), label(a))
                                } else {
                                    format!("({}-{})÷{}", label(a), label(b), label(a))
                                };
                                readings.push((v, text));
                            }
                        }
                    }
                }
            }
        }
        if readings.is_empty() {
            return;
        }
        let hit = readings
            .iter()
            .position(|r| agrees(r.0, rate.value, rate.decimals, true));
        let r = &readings[hit.unwrap_or(0)];
        self.equations.push(Equation {
            text: format!("{}：{}={}", name, r.1, rate.stated()),
            computed: format!("{}%", format_decimal(r.0, rate.decimals + 2)),
            stated: rate.stated(),
            holds: hit.is_some(),
        });
    }

    /// `长4.5米,宽3米,占地13.5平方米`: the last two (three for a volume) lengths in 米 of the
    /// sentence, when one of them is named a side (长, 宽 …).
    pub(super) fn check_area(&mut self, i: usize) {
        let area = self.figures[i].clone();
        let dimensions = if AREA_UNITS.contains(&area.count_unit.as_str()) {
            2
        } else if VOLUME_UNITS.contains(&area.count_unit.as_str()) {
            3
        } else {
            return;
        };
        let lengths: Vec<usize> = (self.area_floor..i)
            .filter(|&j| {
                let x = &self.figures[j];
                x.role == Role::Count
                    && x.count_unit == "米"
                    && !x.used
                    && x.place.sentence == area.place.sentence
            })
            .collect();
        if lengths.len() < dimensions {
            return;
        }
        let sides = &lengths[lengths.len() - dimensions..];
        if !sides
            .iter()
            .any(|&j| self.figures[j].lead.contains(DIMENSION_HINTS))
        {
            return;
        }
        let mut product = Decimal::ONE;
        for &j in sides {
            match product.checked_mul(self.figures[j].value) {
                Some(p) => product = p,
                None => return,
            }
        }
        let labels: Vec<String> = sides
            .iter()
            .map(|&j| self.figures[j].label.clone())
            .collect();
        self.equations.push(Equation {
            text: format!("{}={}", labels.join("×"), area.label),
            computed: format!(
                "{}{}",
                format_decimal(product, area.decimals.max(2) + 4),
                area.count_unit
            ),
            stated: area.stated(),
            holds: agrees(product, area.value, area.decimals, area.decimals >= 2),
        });
        for &j in sides {
            self.use_as_part(j, i);
        }
        self.area_floor = i + 1;
    }
}
