namespace OpenShell.FaultSuite;

/// <summary>One invariant checked after a scenario.</summary>
/// <param name="Name">What it promises (<c>state = deployed</c>, <c>no leftovers</c>).</param>
/// <param name="Held">True when it held.</param>
/// <param name="Detail">What was seen when it did not hold; empty when it held.</param>
public sealed record InvariantCheck(string Name, bool Held, string Detail = "")
{
    /// <summary>The check of <paramref name="name"/>: held when <paramref name="failure"/> is null, else broken with it.</summary>
    public static InvariantCheck Of(string name, string? failure) => new(name, failure is null, failure ?? "");
}
