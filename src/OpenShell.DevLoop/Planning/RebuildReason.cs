namespace OpenShell.DevLoop.Planning;

/// <summary>One reason a component is rebuilt, with words for a person.</summary>
/// <param name="Kind">The reason's kind.</param>
/// <param name="Description">The explanation shown by <c>--explain</c>.</param>
public sealed record RebuildReason(RebuildReasonKind Kind, string Description);
