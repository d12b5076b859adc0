using OpenShell.DevLoop.Engine;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>
/// A second Docker engine on this machine, listening on <c>tcp://127.0.0.2</c> with TLS client verification as a remote
/// engine would (<see cref="SecondEngine"/>: its own data root, exec root and bridge, so it never touches the engine the
/// other tests share).
/// </summary>
public sealed class TlsEngineTests
{
    [RequiresDocker]
    public async Task A_tls_engine_answers_with_the_right_client_certificate_and_refuses_a_foreign_one()
    {
        var firstEnginesBridge = HostHasInterface("docker0");
        string exec;
        string[] rule;
        await using (var engine = await SecondEngine.StartAsync())
        {
            exec = Path.GetDirectoryName(engine.Socket)!;
            rule = ["FORWARD", "-s", engine.Subnet, "-d", engine.Subnet, "-j", "ACCEPT"];
            Assert.Equal(0, (await TestProcess.RunAsync("iptables", ["-C", .. rule])).ExitCode);
            await CheckAsync(engine.Folder, engine.Port, engine.Pki);
        }

        // The second engine came and went without taking the first engine's bridge with it, and left nothing behind.
        Assert.Equal(firstEnginesBridge, HostHasInterface("docker0"));
        Assert.False(Directory.Exists(exec));
        Assert.NotEqual(0, (await TestProcess.RunAsync("iptables", ["-C", .. rule])).ExitCode);
    }

    [RequiresDocker]
    public async Task Images_of_the_shared_engine_are_copied_into_the_second_one_as_they_are()
    {
        using var shared = DevLoop.Docker.DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(shared);
        // The smallest stand-in: the copy is the same whatever the size.
        var image = OfflineImages.Arm64[0];
        var source = await shared.Images.InspectImageAsync(image);
        await using var engine = await SecondEngine.StartAsync();
        using var second = engine.CreateClient();
        await Assert.ThrowsAsync<global::Docker.DotNet.DockerImageNotFoundException>(() => second.Images.InspectImageAsync(image));

        await engine.CopyImagesAsync(shared, [image]);

        var copied = await second.Images.InspectImageAsync(image);
        Assert.Equal(source.ID, copied.ID);
        Assert.Contains(image, copied.RepoTags);
    }

    private static bool HostHasInterface(string name) =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(n => n.Name == name);

    private static async Task CheckAsync(string home, int port, EnginePki pki)
    {
        var good = EngineConnection.Resolve(null, Env(("DOCKER_HOST", $"tcp://127.0.0.2:{port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", pki.ClientFolder)), home);
        using (var client = good.CreateClient())
        {
            var version = await good.CheckAsync(client);
            Assert.False(string.IsNullOrEmpty(version.Version));
        }

        // A client certificate from another CA: the engine ends the handshake.
        var foreign = EngineConnection.Resolve(null, Env(("DOCKER_HOST", $"tcp://127.0.0.2:{port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", pki.ForeignFolder)), home);
        using (var client = foreign.CreateClient())
        {
            var refused = await Assert.ThrowsAsync<EngineConnectionException>(() => foreign.CheckAsync(client));
            Assert.Contains($"tcp://127.0.0.2:{port}/ (DOCKER_HOST) did not answer", refused.Message, StringComparison.Ordinal);
            Assert.Contains("refused the TLS handshake", refused.Remedy, StringComparison.Ordinal);
        }

        // Without TLS the engine's TLS port answers nothing a Docker client understands.
        var plain = EngineConnection.Resolve(null, Env(("DOCKER_HOST", $"tcp://127.0.0.2:{port}")), home);
        using (var client = plain.CreateClient())
        {
            var refused = await Assert.ThrowsAsync<EngineConnectionException>(() => plain.CheckAsync(client));
            Assert.Contains("DOCKER_TLS_VERIFY=1", refused.Remedy, StringComparison.Ordinal);
        }
    }

    private static Func<string, string?> Env(params (string Name, string? Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;
}
