namespace OpenShell.DevLoop.Planning;

/// <summary>What to plan.</summary>
/// <param name="RepositoryRoot">Any folder inside the working tree; the root is found from it.</param>
/// <param name="Targets">Explicit target words (empty = automatic change detection).</param>
/// <param name="Settings">The environment's settings.</param>
public sealed record PlanRequest(string RepositoryRoot, IReadOnlyList<string> Targets, PlanSettings Settings)
{
    /// <summary>What a watcher saw change, so the plan re-checks those paths only; null scans the whole tree.</summary>
    internal ChangeDetection.ChangeJournal? Journal { get; init; }

    /// <summary>An automatic plan for the working tree at <paramref name="repositoryRoot"/>.</summary>
    public static PlanRequest Automatic(string repositoryRoot, PlanSettings? settings = null) =>
        new(repositoryRoot, [], settings ?? new PlanSettings());
}
