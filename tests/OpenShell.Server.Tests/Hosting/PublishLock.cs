namespace OpenShell.Server.Tests.Hosting;

/// <summary>
/// Serialises <c>dotnet publish</c> runs of the test projects: the gateway and the supervisor share
/// OpenShell.Core's Release output, and two publishes building it at once can collide.
/// </summary>
internal static class PublishLock
{
    private static readonly string s_path = Path.Combine(Path.GetTempPath(), "openshell-test-publish.lock");

    internal static async Task<IDisposable> AcquireAsync(CancellationToken ct = default)
    {
        while (true)
        {
            try
            {
                return new FileStream(s_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(500, ct);
            }
        }
    }
}
