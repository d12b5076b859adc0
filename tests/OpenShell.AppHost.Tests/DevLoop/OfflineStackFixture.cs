using OpenShell.Testing;

namespace OpenShell.AppHost.Tests.DevLoop;

/// <summary>
/// One throw-away clone and one set of unique names (cluster, registry, network, image tag) shared by the tests that
/// run the whole offline stack, so the second one reuses the cluster the first bootstrapped. Everything it names is
/// removed at the end.
/// </summary>
public sealed class OfflineStackFixture : IAsyncLifetime
{
    private readonly OfflineStack _stack = new();
    private CheckoutCopy? _checkout;

    public string Name => _stack.Name;

    public int RegistryPort => _stack.RegistryPort;

    public string ClusterContainer => _stack.ClusterContainer;

    public string RegistryContainer => _stack.RegistryContainer;

    internal CheckoutCopy Checkout => _checkout ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>Configuration switches that point the AppHost at the clone and the unique names, with a short debounce for tests.</summary>
    public string[] Switches => [.. _stack.Switches(Checkout.Root), "--OpenShell:DevHost:QuietPeriodMs=300", "--OpenShell:DevHost:MaxWaitMs=3000"];

    /// <inheritdoc cref="OfflineStack.ReleaseRegistryAsync"/>
    public Task ReleaseRegistryAsync() => _stack.ReleaseRegistryAsync();

    public async Task InitializeAsync()
    {
        if (DockerGate.SkipReason is null)
        {
            _checkout = await CheckoutCopy.CreateAsync(CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        _checkout?.Dispose();
        if (DockerGate.SkipReason is null)
        {
            await _stack.RemoveAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OfflineStackCollection : ICollectionFixture<OfflineStackFixture>
{
    public const string Name = "offline-stack";
}
