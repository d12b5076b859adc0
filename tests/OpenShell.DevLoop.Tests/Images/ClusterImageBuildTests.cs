using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Tests.Images;

[Collection(ClusterImageCollection.Name)]
public sealed class ClusterImageBuildTests(ClusterImageFixture image, ITestOutputHelper output)
{
    [RequiresDocker]
    public async Task Image_carries_supervisor_bundle_chart_and_manifests()
    {
        output.WriteLine($"supervisor publish took {image.PublishTime.TotalSeconds:F1}s, cluster image build took {image.BuildTime.TotalSeconds:F1}s");
        var script = string.Join(" && ", [
            "stat -c '%a %n' /opt/openshell/bin/openshell-sandbox",
            "/opt/openshell/bin/openshell-sandbox --version",
            .. SyntheticBundle.Binaries.Select(b => $"test -x /usr/bin/{b} && echo found:{b}"),
            "test -f /etc/nvidia-container-runtime/config.toml && echo found:config",
            "readlink /usr/lib/*-linux-gnu/libnvidia-container.so.1",
            "sha256sum /opt/openshell/charts/openshell-0.1.0.tgz",
            "ls /opt/openshell/manifests /opt/openshell/gpu-manifests",
            "test -x /usr/local/bin/cluster-entrypoint.sh && test -x /usr/local/bin/cluster-healthcheck.sh && echo scripts-ok",
            "test ! -e /manifest.json && echo no-bundle-manifest",
            "/usr/bin/nvidia-container-cli",
        ]);

        var (exit, text) = await ContainerRun.ShAsync(image.Docker, image.Tag, script);

        Assert.True(exit == 0, text);
        Assert.Contains("755 /opt/openshell/bin/openshell-sandbox", text, StringComparison.Ordinal);
        Assert.Contains("0.1.0", text, StringComparison.Ordinal);
        foreach (var binary in SyntheticBundle.Binaries)
        {
            Assert.Contains($"found:{binary}", text, StringComparison.Ordinal);
        }

        Assert.Contains("found:config", text, StringComparison.Ordinal);
        Assert.Contains(GlibcStubBundle.Greeting, text, StringComparison.Ordinal);
        Assert.Contains("libnvidia-container.so.1.17.8", text, StringComparison.Ordinal);
        Assert.Contains($"{image.Result!.ChartSha256}  /opt/openshell/charts/openshell-0.1.0.tgz", text, StringComparison.Ordinal);
        Assert.Contains("openshell-helmchart.yaml", text, StringComparison.Ordinal);
        Assert.Contains("openshell-gpu-runtimeclass.yaml", text, StringComparison.Ordinal);
        Assert.Contains("scripts-ok", text, StringComparison.Ordinal);
        Assert.Contains("no-bundle-manifest", text, StringComparison.Ordinal);

        var inspect = await image.Docker.Images.InspectImageAsync(image.Tag);
        Assert.Equal(["/usr/local/bin/cluster-entrypoint.sh"], inspect.Config.Entrypoint);
        Assert.Contains("/usr/local/bin/cluster-healthcheck.sh", inspect.Config.Healthcheck.Test);
    }

    [RequiresDocker]
    public async Task Image_is_a_glibc_node_with_the_tools_k3s_expects_from_the_host()
    {
        var script = string.Join(" && ", [
            "ldd /usr/bin/nvidia-container-cli",
            "for tool in iptables iptables-legacy iptables-nft mount nslookup conntrack ip getent timeout bash k3s kubectl crictl; do command -v $tool >/dev/null && echo tool:$tool; done",
            "test -s /etc/ssl/certs/ca-certificates.crt && test -s /etc/ssl/certs/k3s-ca-certificates.crt && echo ca-ok",
            "test -f /usr/share/zoneinfo/UTC && echo zoneinfo-ok",
            "echo path=$PATH cri=$CRI_CONFIG_FILE",
        ]);

        var (exit, text) = await ContainerRun.ShAsync(image.Docker, image.Tag, script);

        Assert.True(exit == 0, text);
        Assert.Contains("libnvidia-container.so.1 => ", text, StringComparison.Ordinal);
        Assert.Contains("-linux-gnu/libnvidia-container.so.1 (", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not found", text, StringComparison.Ordinal);
        Assert.Contains("libc.so.6 => ", text, StringComparison.Ordinal);
        foreach (var tool in new[] { "iptables", "iptables-legacy", "iptables-nft", "mount", "nslookup", "conntrack", "ip", "getent", "timeout", "bash", "k3s", "kubectl", "crictl" })
        {
            Assert.Contains($"tool:{tool}\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("ca-ok", text, StringComparison.Ordinal);
        Assert.Contains("zoneinfo-ok", text, StringComparison.Ordinal);
        Assert.Contains("path=/var/lib/rancher/k3s/data/cni:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/bin/aux cri=/var/lib/rancher/k3s/agent/etc/crictl.yaml", text, StringComparison.Ordinal);

        var inspect = await image.Docker.Images.InspectImageAsync(image.Tag);
        var health = inspect.Config.Healthcheck;
        // The engine's model keeps the start period in nanoseconds.
        Assert.Equal(
            (TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 20_000_000_000L, 60L),
            (health.Interval, health.Timeout, health.StartPeriod, health.Retries));
    }

    [Fact]
    public void The_final_stage_runs_nothing()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "deploy", "docker", "Dockerfile.cluster"))
            .Where(l => !l.TrimStart().StartsWith('#') && l.Trim().Length > 0)
            .ToList();
        var finalStage = lines.Skip(lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToList();

        Assert.Equal("FROM ${BASE_IMAGE}", finalStage[0]);
        Assert.DoesNotContain(finalStage, l => l.StartsWith("RUN ", StringComparison.Ordinal));
        Assert.Contains("COPY --from=k3s /bin/ /bin/", finalStage);
        Assert.Contains(lines, l => l == "FROM ${K3S_IMAGE} AS k3s");
    }

    [RequiresDocker]
    public async Task A_missing_base_that_cannot_be_built_here_is_refused_before_the_chart_is_packaged()
    {
        using var temp = new TempDirectory("no-base");
        var architecture = image.Result!.Architecture;
        var work = temp.Combine("work");
        var tag = $"openshell-test/cluster:no-base-{Guid.NewGuid():N}";
        var bundle = await SyntheticBundle.PackAsync(temp, architecture);

        var error = await Assert.ThrowsAsync<ClusterImageBuildException>(() => ClusterImageBuild.RunAsync(image.Docker, new ClusterImageBuildRequest(RepositoryPaths.Root, tag, ClusterImageFixture.BaseImage)
        {
            Architecture = architecture,
            BundleTarball = bundle,
            SupervisorBinary = image.SupervisorBinary,
            WorkDirectory = work,
            ClusterBase = $"openshell-test/no-such-base:{Guid.NewGuid():N}",
            ClusterBaseFrom = "",
        }, NullLogger.Instance));

        Assert.Contains("cannot be built here: OpenShell:Images:ClusterBaseFrom is empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("eng/offline-images.sh", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work, "charts")), "a chart was packaged");
        await Assert.ThrowsAsync<DockerImageNotFoundException>(() => image.Docker.Images.InspectImageAsync(tag));
    }

    public static TheoryData<string, string> BadBundles => new()
    {
        { "missing", "missing-bundle" },
        { "wrong-architecture", "arm64" },
        { "corrupt", "truncated or corrupt" },
    };

    [RequiresDockerTheory]
    [MemberData(nameof(BadBundles))]
    public async Task A_bad_bundle_is_refused_before_anything_is_built(string kind, string expected)
    {
        using var temp = new TempDirectory("bad-bundle");
        var architecture = image.Result!.Architecture;
        string tarball;
        switch (kind)
        {
            case "missing":
                tarball = temp.Combine("missing-bundle.tar.gz");
                break;
            case "wrong-architecture":
                tarball = await SyntheticBundle.PackAsync(temp, architecture == "amd64" ? "arm64" : "amd64");
                expected = architecture == "amd64" ? "arm64" : "amd64";
                break;
            default:
                var good = await SyntheticBundle.PackAsync(temp, architecture);
                var bytes = await File.ReadAllBytesAsync(good);
                tarball = temp.Combine("corrupt.tar.gz");
                await File.WriteAllBytesAsync(tarball, bytes[..(bytes.Length / 2)]);
                break;
        }

        var tag = $"openshell-test/cluster:refused-{Guid.NewGuid():N}";
        var work = temp.Combine("work");

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => ClusterImageBuild.RunAsync(image.Docker, new ClusterImageBuildRequest(RepositoryPaths.Root, tag, ClusterImageFixture.BaseImage)
        {
            Architecture = architecture,
            BundleTarball = tarball,
            SupervisorBinary = image.SupervisorBinary,
            WorkDirectory = work,
        }, NullLogger.Instance));

        output.WriteLine(error.Message);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work, "charts")), "a chart was packaged");
        await Assert.ThrowsAsync<DockerImageNotFoundException>(() => image.Docker.Images.InspectImageAsync(tag));
    }
}

[Collection(ClusterImageCollection.Name)]
public sealed class ClusterImageTargetTests(ClusterImageFixture image)
{
    [RequiresDocker]
    public async Task A_full_build_for_another_architecture_than_the_engine_is_refused_after_the_bundle_is_staged()
    {
        using var temp = new TempDirectory("other-arch");
        var other = image.Result!.Architecture == BundleArchitecture.Amd64 ? BundleArchitecture.Arm64 : BundleArchitecture.Amd64;
        var tarball = await SyntheticBundle.PackAsync(temp, other);
        var tag = $"openshell-test/cluster:other-{Guid.NewGuid():N}";
        var work = temp.Combine("work");

        var error = await Assert.ThrowsAsync<ClusterImageBuildException>(() => ClusterImageBuild.RunAsync(image.Docker, new ClusterImageBuildRequest(RepositoryPaths.Root, tag, ClusterImageFixture.BaseImage)
        {
            Platform = $"linux/{other}",
            BundleTarball = tarball,
            SupervisorBinary = image.SupervisorBinary,
            WorkDirectory = work,
        }, NullLogger.Instance));

        Assert.Contains($"The cluster image for {other} cannot be built on this {image.Result.Architecture} Docker engine", error.Message, StringComparison.Ordinal);
        Assert.Contains("openshell-dev publish", error.Message, StringComparison.Ordinal);
        Assert.Contains("OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY=1", error.Message, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(work, "runtime-bundle", other)));
        Assert.False(Directory.Exists(Path.Combine(work, "charts")), "a chart was packaged");
        await Assert.ThrowsAsync<DockerImageNotFoundException>(() => image.Docker.Images.InspectImageAsync(tag));
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterImageCollection : ICollectionFixture<ClusterImageFixture>
{
    public const string Name = "cluster image";
}
