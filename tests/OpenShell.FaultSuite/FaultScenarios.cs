using OpenShell.FaultSuite.Scenarios;

namespace OpenShell.FaultSuite;

/// <summary>The suite's scenarios (the ones that recreate or restart a cluster last), and how one is run into a table row.</summary>
public static class FaultScenarios
{
    /// <summary>Every scenario of the short form.</summary>
    public static IReadOnlyList<FaultScenario> All { get; } = 
        [.. KilledClusterDeployScenarios.All(), .. KilledDeployScenarios.All(), .. RegistryScenarios.All(), .. KubernetesApiScenarios.All(),
        .. DiskFullScenarios.All(), .. ConcurrentDeployScenarios.All(), .. EventStormScenarios.All(), .. ClusterUnderSessionScenarios.All(), .. EngineRestartScenarios.All()];

    /// <summary>Runs <paramref name="scenario"/> <paramref name="repetitions"/> times; the row of the slowest or the first broken run.</summary>
    public static async Task<ScenarioResult> RunAsync(FaultScenario scenario, int repetitions = 1, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ScenarioResult? worst = null;
        for (var i = 0; i < repetitions; i++)
        {
            ScenarioResult result;
            try
            {
                result = await scenario.RunAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                result = new ScenarioResult("", "", $"the scenario itself failed: {ex.GetType().Name}", TimeSpan.Zero, [InvariantCheck.Of("scenario ran", ex.Message)]);
            }

            result = result with { Scenario = scenario.Name, FaultPoint = scenario.FaultPoint };
            if (!result.Held)
            {
                return result;
            }

            worst = worst is null || result.Recovery > worst.Recovery ? result : worst;
        }

        return worst ?? throw new ArgumentOutOfRangeException(nameof(repetitions), "at least one run");
    }
}
