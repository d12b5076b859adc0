using OpenShell.FaultSuite;
using OpenShell.FaultSuite.Scenarios;

// dotnet run --project tests/OpenShell.FaultSuite [-- --full]: every scenario once (the full form: five times each), then
// the table. "child POINT FOLDER" is the process a killed-deploy scenario starts and kills.
if (args is ["child", var point, var folder])
{
    return await KilledDeployScenarios.ChildAsync(point, folder);
}

var repetitions = args.Contains("--full") ? 5 : 1;
var results = new List<ScenarioResult>();
foreach (var scenario in FaultScenarios.All)
{
    Console.Error.WriteLine($"running: {scenario.Name}");
    results.Add(await FaultScenarios.RunAsync(scenario, repetitions));
}

Console.Write(FaultTable.Render(results));
return results.All(r => r.Held) ? 0 : 1;
