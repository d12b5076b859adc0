using System.Text.Json.Nodes;

namespace OpenShell.AppHost.Tests;

/// <summary>The AppHost runs its planner with the garbage collector settings of <c>eng/LongLivedPlanner.props</c>.</summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void Arrays_of_one_entry_per_file_stay_off_the_large_object_heap()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "OpenShell.AppHost.runtimeconfig.json")))!;

        Assert.Equal(4 * 1024 * 1024, config["runtimeOptions"]?["configProperties"]?["System.GC.LOHThreshold"]?.GetValue<int>());
    }
}
