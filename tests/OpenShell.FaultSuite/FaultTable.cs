using System.Globalization;
using System.Text;

namespace OpenShell.FaultSuite;

/// <summary>The suite's table: scenario, fault point, outcome, recovery time, invariants held, and what broke.</summary>
public static class FaultTable
{
    private static readonly string[] s_headers = ["scenario", "fault point", "outcome", "recovery", "invariants"];

    /// <summary>Renders <paramref name="results"/> as a Markdown table, then one line per broken invariant.</summary>
    public static string Render(IReadOnlyList<ScenarioResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = results.Select(r => new[]
        {
            r.Scenario,
            r.FaultPoint,
            r.Outcome,
            string.Create(CultureInfo.InvariantCulture, $"{r.Recovery.TotalSeconds:0.00} s"),
            $"{r.Invariants.Count(i => i.Held)}/{r.Invariants.Count} held ({string.Join(", ", r.Invariants.Select(i => (i.Held ? "" : "BROKEN ") + i.Name))})",
        }).ToList();
        var widths = s_headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        Row(text, s_headers, widths);
        text.Append('|').AppendJoin('|', widths.Select(w => new string('-', w + 2))).Append("|\n");
        foreach (var row in rows)
        {
            Row(text, row, widths);
        }

        foreach (var result in results)
        {
            foreach (var broken in result.Invariants.Where(i => !i.Held))
            {
                text.Append(CultureInfo.InvariantCulture, $"\n{result.Scenario}: {broken.Name} broken: {broken.Detail}");
            }
        }

        return text.Append('\n').ToString();
    }

    private static void Row(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < cells.Count; i++)
        {
            text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        }

        text.Append('\n');
    }
}
