using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OpenShell.Testing;

namespace OpenShell.Sandbox.Tests;

/// <summary>
/// Publishes openshell-sandbox once per test run, exactly as the dev loop does
/// (<c>dotnet publish src/OpenShell.Sandbox -c Release -r linux-x64</c>); the publish is incremental, so later runs are quick.
/// </summary>
public sealed class SupervisorBinaryFixture : IAsyncLifetime
{
    public string Path { get; private set; } = string.Empty;

    public string Sha256 { get; private set; } = string.Empty;

    public TimeSpan PublishTime { get; private set; }

    public async Task InitializeAsync()
    {
        var rid = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var output = System.IO.Path.Combine(AppContext.BaseDirectory, "supervisor", rid);
        var project = System.IO.Path.Combine(RepositoryPaths.Root, "src", "OpenShell.Sandbox", "OpenShell.Sandbox.csproj");
        using var publishLock = await OpenShell.Server.Tests.Hosting.PublishLock.AcquireAsync();
        var clock = Stopwatch.StartNew();
        (await TestProcess.RunAsync("dotnet", ["publish", project, "-c", "Release", "-r", rid, "-o", output, "-nologo", "-v", "q"], RepositoryPaths.Root, timeout: TimeSpan.FromMinutes(9)))
            .EnsureSuccess("dotnet publish of openshell-sandbox");
        PublishTime = clock.Elapsed;
        Path = System.IO.Path.Combine(output, "openshell-sandbox");
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path)));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class SupervisorBinaryCollection : ICollectionFixture<SupervisorBinaryFixture>
{
    public const string Name = "supervisor binary";
}
