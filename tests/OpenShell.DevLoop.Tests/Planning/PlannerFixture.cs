using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Planning;

/// <summary>A test repository, a planner on it and helpers to record deploys and check plans.</summary>
internal sealed class PlannerFixture : IDisposable
{
    public const string ContainerId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private PlannerFixture(GitTestRepository repository)
    {
        Repository = repository;
        Locator = new FakeClusterContainerLocator(ContainerId);
        Planner = new DeployPlanner(Locator);
    }

    public GitTestRepository Repository { get; }

    public FakeClusterContainerLocator Locator { get; }

    public DeployPlanner Planner { get; }

    public PlanSettings Settings { get; set; } = new();

    public DeployStateStore Store => DeployStateStore.ForRepository(Repository.Root, Settings.StateFile);

    public static async Task<PlannerFixture> CreateAsync(bool withChart = true) =>
        new(await GitTestRepository.CreateAsync(withChart));

    /// <summary>Plans with a fresh planner (no caches), as a one-shot command would.</summary>
    public Task<DeployPlan> PlanAsync(params string[] targets) =>
        new DeployPlanner(Locator).PlanAsync(new PlanRequest(Repository.Root, targets, Settings));

    /// <summary>Plans automatically and records the plan as fully deployed, as a successful deploy would.</summary>
    public async Task<DeployPlan> RecordDeployAsync()
    {
        var plan = await PlanAsync();
        await Store.WriteAsync(plan.ToState(), plan.StateKeyOrder);
        return plan;
    }

    public static void AssertPlan(DeployPlan plan, int gateway, int supervisor, int helm)
    {
        var actual = (Bit(plan, "gateway"), Bit(plan, "supervisor"), Bit(plan, "chart"));
        Assert.True(
            actual == (gateway, supervisor, helm),
            $"expected plan {gateway} {supervisor} {helm}, got {actual.Item1} {actual.Item2} {actual.Item3}:\n{DeployPlanText.Render(plan, explain: true)}");
    }

    public void Dispose() => Repository.Dispose();

    private static int Bit(DeployPlan plan, string name) => plan[name].Rebuild ? 1 : 0;
}
