using OpenShell.DevLoop.Components;

namespace OpenShell.DevLoop.Planning;

/// <summary>The decision for one component.</summary>
/// <param name="Component">The component.</param>
/// <param name="Rebuild">True when it is to be rebuilt and deployed.</param>
/// <param name="Reasons">Why (empty when it is not rebuilt).</param>
/// <param name="Changes">Changed paths (git's change set) that feed it, with the glob that matched each.</param>
/// <param name="Fingerprint">Its fingerprint now (empty when it has no input files).</param>
/// <param name="RecordedFingerprint">The usable recorded fingerprint, or null when there is none.</param>
/// <param name="InputCount">How many input files it has.</param>
public sealed record ComponentPlan(
    ComponentDefinition Component,
    bool Rebuild,
    IReadOnlyList<RebuildReason> Reasons,
    IReadOnlyList<ChangedInput> Changes,
    string Fingerprint,
    string? RecordedFingerprint,
    int InputCount);
