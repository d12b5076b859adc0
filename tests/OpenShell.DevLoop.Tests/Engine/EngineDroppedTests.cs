using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>
/// An engine that goes away under a deploy step (here: nothing listens any more; a stream cut midway is the fault suite's
/// engine-restart scenarios, against a real dockerd) fails the step naming the engine and what to do; the registry's HTTP
/// failures and local I/O errors keep their own words.
/// </summary>
public sealed class EngineDroppedTests
{
    public static TheoryData<string> Failures => ["the engine is not listening", "a registry's HTTP request fails", "a local file is missing"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_step_names_the_engine_only_when_the_engine_went_away(string failure)
    {
        var (fromEngine, act) = Failure(failure);
        using var run = new DeployRun(null, NullLogger.Instance);

        var error = await Assert.ThrowsAsync<DeployException>(() => run.StepAsync<int>(DeployStep.ImagePush, "gateway", async () =>
        {
            await act();
            return (0, "");
        }));

        Assert.Equal(fromEngine, EngineDropped.Is(error.InnerException));
        if (fromEngine)
        {
            Assert.StartsWith("the Docker engine went away during image push: ", error.Message, StringComparison.Ordinal);
            Assert.Equal(EngineDropped.Remedy, error.Remedy);
        }
        else
        {
            Assert.DoesNotContain("Docker engine", error.Message, StringComparison.Ordinal);
            Assert.Null(error.Remedy);
        }
    }

    private static (bool FromEngine, Func<Task> Act) Failure(string failure) => failure switch
    {
        "the engine is not listening" => (true, async () =>
        {
            using var docker = new DockerClientConfiguration(new Uri($"tcp://127.0.0.1:{ClosedPort()}")).CreateClient();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await docker.Images.PushImageAsync("127.0.0.1:5000/openshell/gateway", new ImagePushParameters { Tag = "dev" }, new AuthConfig(), new Progress<JSONMessage>(), limit.Token);
        }),
        "a registry's HTTP request fails" => (false, async () =>
        {
            using var http = new HttpClient();
            await http.GetStringAsync(new Uri($"http://127.0.0.1:{ClosedPort()}/v2/"));
        }),
        "a local file is missing" => (false, async () => await File.ReadAllBytesAsync(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}"))),
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
