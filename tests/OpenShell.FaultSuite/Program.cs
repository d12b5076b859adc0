using OpenShell.DevLoop.Cli;
using OpenShell.FaultSuite;
using OpenShell.FaultSuite.Scenarios;

// dotnet run --project tests/OpenShell.FaultSuite [-- --full] [--no-docker] [--only TEXT]: every scenario once (the full
// form: five times each), then the table; --no-docker leaves out the scenarios that need a cluster, --only TEXT (repeatable)
// runs the scenarios whose name or fault point contains TEXT. "child ..." and "child-deploy ..." are the processes
// the killed-deploy scenarios start and kill; "child-engine ..." the deploys of the engine-restart scenarios; "child-disk ..." runs openshell-dev on a full tmpfs in its own mount namespace; "openshell-dev ..." is openshell-dev itself, a process of its own (the concurrent deploys).
if (args is ["child", var point, var folder])
{
    return await KilledDeployScenarios.ChildAsync(point, folder);
}

if (args is ["child-deploy", var deployPoint, var markers, var root])
{
    return await KilledClusterDeployScenarios.ChildAsync(deployPoint, markers, root);
}

if (args is ["openshell-dev", .. var cli])
{
    return await CliApp.RunAsync(cli, Console.Out, Console.Error);
}

if (args is ["child-disk", var diskMode, var report, .. var diskArgs])
{
    return await DiskFullScenarios.ChildAsync(diskMode, report, diskArgs);
}

if (args is ["child-engine", var enginePoint, var engineMarkers, var engineRoot])
{
    return await EngineRestartScenarios.ChildAsync(enginePoint, engineMarkers, engineRoot);
}

var repetitions = args.Contains("--full") ? 5 : 1;
var only = args.Zip(args.Skip(1)).Where(p => p.First == "--only").Select(p => p.Second).ToList();
var results = new List<ScenarioResult>();
try
{
    foreach (var scenario in FaultScenarios.All.Where(s => (!s.NeedsDocker || !args.Contains("--no-docker"))
        && (only.Count == 0 || only.Any(o => s.Name.Contains(o, StringComparison.OrdinalIgnoreCase) || s.FaultPoint.Contains(o, StringComparison.OrdinalIgnoreCase)))))
    {
        Console.Error.WriteLine($"running: {scenario.Name} ({DateTime.UtcNow:HH:mm:ss} UTC)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        results.Add(await FaultScenarios.RunAsync(scenario, repetitions));
        Console.Error.WriteLine($"done in {clock.Elapsed.TotalSeconds:0} s: {scenario.Name}");
    }
}
finally
{
    if (SuiteEngineCluster.Existing is { } engineCluster)
    {
        Console.Error.WriteLine($"private engine cluster: {engineCluster.Setup}");
    }

    await SuiteCluster.RemoveAsync();
    await SuiteEngineCluster.RemoveAsync();
}

Console.Write(FaultTable.Render(results));
return results.All(r => r.Held) ? 0 : 1;
