//! Charts as inline SVG, each with its text alternative: a line chart of
//! values per day (with a summary in `aria-label` and, where asked, the
//! numbers as a table), and bars in table rows (the table is the data).
//! Colours are CSS classes, so the page's light and dark themes apply.

use std::fmt::Write;

use super::format::number;
use crate::day::Day;
use crate::html_escape::escape_html;

/// One line of a chart: a name, a CSS class for its colour, a value per day.
pub struct Line<'a> {
    /// Shown in the legend and the table.
    pub name: &'a str,
    /// `c1` ... `c6`.
    pub class: &'static str,
    /// One value per day.
    pub values: Vec<f64>,
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;

/// A line chart over `days`; `with_table` adds the numbers in a
/// `<details>` table (the network's charts), else only the summary.
pub fn line_chart(title: &str, days: &[Day], lines: &[Line<'_>], with_table: bool) -> String {
    let max = lines
        .iter()
        .flat_map(|l| l.values.iter().copied())
        .fold(0.0_f64, f64::max);
    let scale_max = nice_max(max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\" focusable=\"false\">",
        escape_html(&format!("{title}. {}", summary(days, lines)))
    );
    for step in 1..4 {
        let y = HEIGHT - HEIGHT * f64::from(step) / 4.0;
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"0\" x2=\"{WIDTH}\" y1=\"{y:.1}\" y2=\"{y:.1}\" vector-effect=\"non-scaling-stroke\"/>"
        );
    }
    for line in lines {
        let n = line.values.len().max(2) - 1;
        let mut points = String::with_capacity(line.values.len() * 12);
        for (i, value) in line.values.iter().enumerate() {
            let x = if line.values.len() == 1 {
                WIDTH / 2.0
            } else {
                WIDTH * i as f64 / n as f64
            };
            let y = HEIGHT - HEIGHT * value / scale_max;
            let _ = write!(points, "{x:.1},{y:.1} ");
        }
        let _ = write!(
            svg,
            "<polyline class=\"{}\" points=\"{}\" vector-effect=\"non-scaling-stroke\"/>",
            line.class,
            points.trim_end()
        );
    }
    svg.push_str("</svg>");

    let mut html = String::new();
    let _ = write!(
        html,
        "<figure class=\"chart\"><figcaption>{}</figcaption>",
        escape_html(title)
    );
    html.push_str(&legend_list(lines.iter().map(|line| {
        let total: f64 = line.values.iter().sum();
        (line.class, line.name, Some(number(total)))
    })));
    let _ = write!(
        html,
        "<div class=\"plot\"><span class=\"ymax\">{}</span>{svg}</div>",
        number(scale_max)
    );
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            html,
            "<div class=\"axis\"><span>{first}</span><span>{last}</span></div>"
        );
    }
    if with_table {
        html.push_str("<details><summary>The numbers</summary><div class=\"scroll\"><table class=\"numbers\"><thead><tr><th scope=\"col\">Day</th>");
        for line in lines {
            let _ = write!(html, "<th scope=\"col\">{}</th>", escape_html(line.name));
        }
        html.push_str("</tr></thead><tbody>");
        for (i, day) in days.iter().enumerate() {
            let _ = write!(html, "<tr><th scope=\"row\">{day}</th>");
            for line in lines {
                let _ = write!(
                    html,
                    "<td>{}</td>",
                    number(line.values.get(i).copied().unwrap_or(0.0))
                );
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table></div></details>");
    }
    html.push_str("</figure>");
    html
}

/// A legend: a swatch, a name and, where given, a total per entry.
fn legend_list<'a>(entries: impl Iterator<Item = (&'a str, &'a str, Option<String>)>) -> String {
    let mut html = String::from("<ul class=\"legend\">");
    for (class, name, total) in entries {
        let _ = write!(
            html,
            "<li><span class=\"swatch {class}\"></span>{}",
            escape_html(name)
        );
        if let Some(total) = total {
            let _ = write!(html, " <strong>{total}</strong>");
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    html
}

/// "Views: 1,234 in all, at most 80 (2026-11-03); ..."
fn summary(days: &[Day], lines: &[Line<'_>]) -> String {
    lines
        .iter()
        .map(|line| {
            let total: f64 = line.values.iter().sum();
            let peak = line
                .values
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1));
            match peak {
                Some((i, value)) if *value > 0.0 => format!(
                    "{}: {} in all, at most {} ({})",
                    line.name,
                    number(total),
                    number(*value),
                    days.get(i).map(Day::to_string).unwrap_or_default()
                ),
                _ => format!("{}: none", line.name),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One row of a bar table: a label (HTML), its numbers as shown, and its
/// bars (a CSS class and a value each; one scale for the whole table).
pub struct BarRow {
    /// The row's label, already HTML.
    pub label: String,
    /// The row's numbers, one per column.
    pub cells: Vec<String>,
    /// (class, value) of each bar.
    pub bars: Vec<(&'static str, f64)>,
}

/// What a bar table shows: its title, the heading of its labels, the
/// headings of its numbers, and the legend of its bars (class, name).
pub struct BarTable<'a> {
    /// The caption.
    pub title: &'a str,
    /// The heading of the row labels.
    pub label_heading: &'a str,
    /// The headings of the rows' numbers.
    pub columns: &'a [&'a str],
    /// Each bar colour's meaning, in the rows' bar order.
    pub legend: &'a [(&'static str, &'a str)],
}

/// A table of labelled rows, each with its numbers and bars scaled to the
/// largest value of the table, under a legend of the bars.
pub fn bar_table(table: &BarTable<'_>, rows: &[BarRow]) -> String {
    let BarTable {
        title,
        label_heading,
        columns,
        legend,
    } = table;
    let max = rows
        .iter()
        .flat_map(|r| r.bars.iter().map(|&(_, value)| value))
        .fold(0.0_f64, f64::max);
    let mut html = String::new();
    let _ = write!(
        html,
        "<figure class=\"chart\"><figcaption>{}</figcaption>",
        escape_html(title)
    );
    html.push_str(&legend_list(
        legend.iter().map(|&(class, name)| (class, name, None)),
    ));
    let _ = write!(
        html,
        "<div class=\"scroll\"><table class=\"bars\"><thead><tr><th scope=\"col\">{}</th>",
        escape_html(label_heading)
    );
    for column in columns.iter() {
        let _ = write!(
            html,
            "<th scope=\"col\" class=\"num\">{}</th>",
            escape_html(column)
        );
    }
    html.push_str(
        "<th scope=\"col\"><span class=\"visually-hidden\">Bars</span></th></tr></thead><tbody>",
    );
    for row in rows {
        let _ = write!(html, "<tr><th scope=\"row\">{}</th>", row.label);
        for shown in &row.cells {
            let _ = write!(html, "<td class=\"num\">{}</td>", escape_html(shown));
        }
        html.push_str("<td class=\"bar\">");
        let height = 10 * row.bars.len();
        let _ = write!(
            html,
            "<svg viewBox=\"0 0 100 {height}\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\">"
        );
        for (i, (class, value)) in row.bars.iter().enumerate() {
            let width = if max > 0.0 {
                100.0 * value.max(0.0) / max
            } else {
                0.0
            };
            let _ = write!(
                html,
                "<rect class=\"{class}\" x=\"0\" y=\"{}\" width=\"{width:.2}\" height=\"8\"/>",
                i * 10 + 1
            );
        }
        html.push_str("</svg></td></tr>");
    }
    html.push_str("</tbody></table></div></figure>");
    html
}

/// A round number at or above `max`, for the top of a scale.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if max <= step * magnitude {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_and_numbers_read_well() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(180.0), 200.0);
        assert_eq!(nice_max(2100.0), 2500.0);
    }

    #[test]
    fn a_line_chart_has_its_numbers_as_text() {
        let days = [Day(0), Day(1), Day(2)];
        let lines = [Line {
            name: "Views",
            class: "c1",
            values: vec![1.0, 5.0, 2.0],
        }];
        let html = line_chart("Views per day", &days, &lines, true);
        assert!(
            html.contains("aria-label=\"Views per day. Views: 8 in all, at most 5 (1970-01-02)\""),
            "{html}"
        );
        assert!(
            html.contains("<th scope=\"row\">1970-01-03</th><td>2</td>"),
            "{html}"
        );
        assert_eq!(html.matches("<polyline").count(), 1);
    }
}
