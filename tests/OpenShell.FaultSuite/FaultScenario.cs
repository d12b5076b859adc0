namespace OpenShell.FaultSuite;

/// <summary>One fault injected at a named point of a real deploy step, then the recovery checked.</summary>
/// <param name="Name">The scenario's name (the table's first column and the test case).</param>
/// <param name="FaultPoint">Where the fault is injected.</param>
/// <param name="RunAsync">Injects the fault, recovers and checks the invariants.</param>
public sealed record FaultScenario(string Name, string FaultPoint, Func<CancellationToken, Task<ScenarioResult>> RunAsync)
{
    /// <summary>True when it needs the Docker engine (a real cluster); the others run in process.</summary>
    public bool NeedsDocker { get; init; }

    /// <summary>
    /// True when it restarts a private engine the suite starts (its own cluster, bootstrapped there): a few minutes of
    /// set-up, which <c>OPENSHELL_FAULTS_PRIVATE_ENGINE=0</c> skips in the test run; <c>dotnet run</c> always runs it.
    /// </summary>
    public bool NeedsPrivateEngine { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
