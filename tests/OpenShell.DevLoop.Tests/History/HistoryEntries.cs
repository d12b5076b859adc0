using OpenShell.DevLoop.History;

namespace OpenShell.DevLoop.Tests.History;

/// <summary>History entries for tests.</summary>
internal static class HistoryEntries
{
    public static DeployHistoryEntry Entry(int n, string outcome = DeployOutcomes.Succeeded, params (string Step, double Seconds)[] steps) => new(
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(n),
        "file-change",
        outcome,
        steps.Sum(s => s.Seconds),
        ["supervisor"],
        new Dictionary<string, IReadOnlyList<string>> { ["supervisor"] = [$"src/OpenShell.Sandbox/File{n}.cs"] },
        [.. steps.Select(s => new DeployHistoryStep(s.Step, DeployOutcomes.Succeeded, s.Seconds, s.Step == "plan" ? null : "supervisor"))],
        BytesPushed: n);
}
