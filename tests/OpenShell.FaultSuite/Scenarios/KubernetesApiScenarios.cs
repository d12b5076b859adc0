using System.Diagnostics;
using k8s;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Images;
using OpenShell.KubeSim;
using OpenShell.Testing;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// Kubernetes API faults through the simulator, on the deploy's chart update (<see cref="HelmChartDeployer.ApplyAsync(IKubernetes, string, PackagedChart, ChartValues, string?, CancellationToken)"/>)
/// with the client a deploy uses (<see cref="KubernetesClients"/>): a transient fault is retried within the budget, a lasting one
/// fails clearly, nothing reports success that did not happen, and the update after the fault converges.
/// </summary>
internal static class KubernetesApiScenarios
{
    private const string ChartPath = $"/apis/{HelmChartDeployer.Group}/{HelmChartDeployer.Version}/namespaces/{HelmChartDeployer.Namespace}/{HelmChartDeployer.Plural}/{HelmChartDeployer.Name}";
    private static readonly string s_fingerprint = new('f', 64);
    private static readonly string s_digest = "sha256:" + new string('c', 64);
    private static readonly Lazy<Task<PackagedChart>> s_chart = new(PackChartAsync);

    /// <summary>The slow-API scenario's policy: short attempts, so the suite's short form stays short.</summary>
    private static readonly KubernetesApiRetryPolicy s_slowPolicy = new(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

    public static IEnumerable<FaultScenario> All() =>
    [
        new("API 500 twice on the chart update", "PATCH helmcharts/openshell: 500 x2",
            ct => RunAsync(f => f.FailNext(ChartPath, 500, 2, "PATCH"), expectSuccess: true, KubernetesApiRetryPolicy.Default, ["500"], ct)),
        new("API 500 past the retry budget", "GET helmcharts/openshell: 500 x50",
            ct => RunAsync(f => f.FailNext(ChartPath, 500, 50), expectSuccess: false, KubernetesApiRetryPolicy.Default, ["500"], ct)),
        new("API 429 with Retry-After", "GET helmcharts/openshell: 429 x2 (Retry-After: 1)",
            ct => RunAsync(f => f.FailNext(ChartPath, 429, 2, "GET"), expectSuccess: true, KubernetesApiRetryPolicy.Default, ["429"], ct, minimum: TimeSpan.FromSeconds(2))),
        new("API slower than the client timeout", "helmcharts/openshell: +3 s per response",
            ct => RunAsync(f => f.Delay(ChartPath, TimeSpan.FromSeconds(3)), expectSuccess: false, s_slowPolicy, ["no answer"], ct)),
        new("API 409 on the chart update", "PATCH helmcharts/openshell: 409 x2",
            ct => RunAsync(f => f.FailNext(ChartPath, 409, 2, "PATCH"), expectSuccess: true, KubernetesApiRetryPolicy.Default, ["409"], ct)),
    ];

    private static async Task<ScenarioResult> RunAsync(
        Action<KubeSimFaults> inject, bool expectSuccess, KubernetesApiRetryPolicy policy, string[] faultWords, CancellationToken ct, TimeSpan? minimum = null)
    {
        var chart = await s_chart.Value;
        await using var sim = await KubeSimServer.StartAsync(ct: ct);
        using var admin = sim.CreateClient();
        await CreateHelmChartAsync(admin, ct);
        using var kube = KubernetesClients.Create(sim.ClientConfiguration, policy);
        var values = new ChartValues(chart.Sha256, [new ImagePin(ComponentDefaults.ValuesKey, "127.0.0.1:5000/openshell/gateway", s_digest)]);

        inject(sim.Faults);
        var clock = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            await HelmChartDeployer.ApplyAsync(kube, HelmChartDeployer.Name, chart, values, s_fingerprint, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = ex;
        }

        var underFault = clock.Elapsed;
        sim.Faults.Reset();
        var appliedUnderFault = await AppliedAsync(admin, ct);
        var checks = new List<InvariantCheck>
        {
            InvariantCheck.Of(Invariants.NoFalseSuccess, (error is null) == appliedUnderFault ? null
                : error is null ? "the update returned, but the HelmChart does not hold it" : $"the update failed ({error.Message}), yet the HelmChart holds it"),
        };
        string outcome;
        if (expectSuccess)
        {
            checks.Add(InvariantCheck.Of("retried within budget", error is null ? null : $"failed instead: {error.GetType().Name}: {error.Message}"));
            if (minimum is { } wait)
            {
                checks.Add(InvariantCheck.Of("Retry-After honoured", underFault >= wait ? null : $"retried after {underFault.TotalSeconds:0.00} s, before {wait.TotalSeconds:0} s"));
            }

            outcome = error is null ? "retried, then applied" : $"failed: {error.Message}";
        }
        else
        {
            checks.Add(Invariants.ErrorIsClear(error, faultWords));
            outcome = error is null ? "succeeded under a lasting fault?" : $"failed clearly: {Shorten(error.Message)}";
        }

        // After the fault: the same update, as the next deploy sends it.
        TimeSpan recovery = underFault;
        if (error is not null)
        {
            clock.Restart();
            try
            {
                await HelmChartDeployer.ApplyAsync(kube, HelmChartDeployer.Name, chart, values, s_fingerprint, ct);
                recovery += clock.Elapsed;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                checks.Add(InvariantCheck.Of(Invariants.Converges, $"the update after the fault failed: {ex.Message}"));
                return new ScenarioResult("", "", outcome, clock.Elapsed, checks);
            }
        }

        checks.Add(InvariantCheck.Of(Invariants.Converges, await AppliedAsync(admin, ct) ? null : "the HelmChart does not hold the update"));
        return new ScenarioResult("", "", outcome, recovery, checks);
    }

    private static async Task<bool> AppliedAsync(IKubernetes admin, CancellationToken ct)
    {
        var chart = await HelmChartDeployer.ReadAsync(admin, ct);
        var values = chart["spec"]?["valuesContent"]?.GetValue<string>();
        return HelmChartDeployer.FingerprintOf(chart) == s_fingerprint && HelmChartDeployer.ImageOf(values).EndsWith(s_digest, StringComparison.Ordinal);
    }

    // The end says what the API did and how often it was asked.
    private static string Shorten(string message) => message.Length <= 90 ? message : "..." + message[^87..];

    // One folder for every run: the package is deterministic and written atomically, so runs do not pile up copies.
    private static Task<PackagedChart> PackChartAsync() =>
        ChartPackager.PackAsync(Path.Combine(RepositoryPaths.Root, "deploy", "helm", "openshell"), Path.Combine(Path.GetTempPath(), "osflt-chart"));

    private static async Task CreateHelmChartAsync(IKubernetes kube, CancellationToken ct)
    {
        var chart = new Dictionary<string, object>
        {
            ["apiVersion"] = $"{HelmChartDeployer.Group}/{HelmChartDeployer.Version}",
            ["kind"] = "HelmChart",
            ["metadata"] = new Dictionary<string, object> { ["name"] = HelmChartDeployer.Name, ["namespace"] = HelmChartDeployer.Namespace },
            ["spec"] = new Dictionary<string, object> { ["targetNamespace"] = "openshell", ["chartContent"] = "", ["valuesContent"] = "" },
        };
        await kube.CustomObjects.CreateNamespacedCustomObjectAsync(chart, HelmChartDeployer.Group, HelmChartDeployer.Version, HelmChartDeployer.Namespace, HelmChartDeployer.Plural,
            cancellationToken: ct);
    }
}
