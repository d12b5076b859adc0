using System.Globalization;
using System.Text;
using OpenShell.DevLoop.ChangeDetection;

namespace OpenShell.DevLoop.Planning;

/// <summary>
/// Renders a plan as upstream prints it (OpenShell's scripts parse these exact lines), optionally followed
/// by the explanation: per component the reasons, the changed paths and the glob that matched each.
/// </summary>
public static class DeployPlanText
{
    /// <summary>The header line of the plan block.</summary>
    public const string Header = "Fast deploy plan:";

    /// <summary>The line printed in automatic mode when nothing is to be done.</summary>
    public const string NothingToDo = "No new local changes since last deploy.";

    /// <summary>The plan block, plus <see cref="NothingToDo"/> when it applies, plus the explanation when asked.</summary>
    public static string Render(DeployPlan plan, bool explain)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        var width = plan.Components.Max(c => c.Component.Label.Length) + 2;
        foreach (var component in plan.Components)
        {
            text.Append("  ").Append((component.Component.Label + ":").PadRight(width)).Append(component.Rebuild ? '1' : '0').Append('\n');
        }

        if (plan.NothingToDo)
        {
            text.Append(NothingToDo).Append('\n');
        }

        if (explain)
        {
            AppendExplanation(text, plan);
        }

        return text.ToString();
    }

    private static void AppendExplanation(StringBuilder text, DeployPlan plan)
    {
        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"Mode: {(plan.Mode == PlanMode.Automatic ? "automatic (change detection)" : "explicit targets (change detection skipped, state not written)")}\n");
        text.Append(CultureInfo.InvariantCulture, $"Cluster: {plan.ClusterName} (container {plan.ContainerName}, id {(plan.ContainerId is null ? "unknown" : Short(plan.ContainerId))})\n");
        text.Append(CultureInfo.InvariantCulture, $"State: {plan.StatePath}{(plan.RecordedState is null ? " (none usable)" : string.Empty)}\n");
        foreach (var note in plan.Notes)
        {
            text.Append("Note: ").Append(note).Append('\n');
        }

        foreach (var component in plan.Components)
        {
            var definition = component.Component;
            text.Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"{definition.Name} ({definition.Kind.ToString().ToLowerInvariant()}, state key {definition.StateKey}): {(component.Rebuild ? "rebuild" : "up to date")}\n");
            foreach (var reason in component.Reasons)
            {
                text.Append("  because ").Append(reason.Description).Append('\n');
            }

            foreach (var change in component.Changes)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {Describe(change.Kind),-10} {change.Path}  (matched {change.Glob})\n");
            }

            var recorded = component.RecordedFingerprint is null ? "none" : Short(component.RecordedFingerprint);
            text.Append(CultureInfo.InvariantCulture, $"  fingerprint {Short(component.Fingerprint)} over {component.InputCount} input files (recorded {recorded})\n");
        }
    }

    /// <summary>A change kind as a lowercase word.</summary>
    internal static string Describe(ChangeKind kind) => kind switch
    {
        ChangeKind.Modified => "modified",
        ChangeKind.Added => "added",
        ChangeKind.Deleted => "deleted",
        ChangeKind.Untracked => "untracked",
        ChangeKind.Conflicted => "conflicted",
        _ => kind.ToString(),
    };

    private static string Short(string value) => value.Length == 0 ? "(empty)" : value.Length > 12 ? value[..12] : value;
}
