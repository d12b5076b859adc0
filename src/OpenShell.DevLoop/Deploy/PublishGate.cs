namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Lets one <c>dotnet publish</c> run at a time: components share projects (OpenShell.Core), and two publishes at once
/// would write the same outputs. Binaries deploy beside images, so their publishes meet here.
/// </summary>
internal sealed class PublishGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs <paramref name="publish"/> once no other publish runs.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> publish, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(publish);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await publish().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
