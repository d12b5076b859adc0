using System.Net.Sockets;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Cluster;

/// <summary>
/// The socket locator (the ahead-of-time planner's) reads the engine's answers as the Docker.DotNet locator does: an id,
/// "not running", "no container named", and any failure as "no Docker engine answered", never an exception.
/// </summary>
public sealed class EngineSocketContainerLocatorTests
{
    public static TheoryData<string, string, string?, string?> Answers => new()
    {
        { "200 OK", """{"Id":"abc123","State":{"Running":true}}""", "abc123", null },
        { "200 OK", """{"Id":"abc123","State":{"Running":false,"Status":"exited"}}""", "abc123", "container openshell-cluster-x is not running" },
        { "404 Not Found", """{"message":"No such container: openshell-cluster-x"}""", null, "no container named openshell-cluster-x" },
        { "500 Internal Server Error", """{"message":"boom"}""", null, "no Docker engine answered at unix://SOCKET (HTTP 500)" },
        { "200 OK", "not json", null, "no Docker engine answered at unix://SOCKET (JsonException)" },
        { "200 OK", """{"State":{"Running":true}}""", null, "no Docker engine answered at unix://SOCKET (KeyNotFoundException)" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Reads_the_engine_s_answer(string status, string body, string? id, string? note)
    {
        using var folder = new TempDirectory("ossock");
        var socket = Path.Combine(folder.Path, "engine.sock");
        using var engine = CannedEngine.Start(socket, status, body);

        var lookup = await new EngineSocketContainerLocator(socket).FindAsync("openshell-cluster-x");

        Assert.Equal(id, lookup.ContainerId);
        Assert.Equal(note?.Replace("SOCKET", socket, StringComparison.Ordinal), lookup.Note);
        Assert.Equal("/containers/openshell-cluster-x/json", await engine.RequestedPath);
    }

    [Fact]
    public async Task No_engine_at_the_socket_is_an_unknown_id_with_a_note()
    {
        var lookup = await new EngineSocketContainerLocator("/nonexistent/ossock/docker.sock").FindAsync("openshell-cluster-x");

        Assert.Null(lookup.ContainerId);
        Assert.StartsWith("no Docker engine answered at unix:///nonexistent/ossock/docker.sock (", lookup.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_engine_slower_than_the_timeout_counts_as_absent()
    {
        using var folder = new TempDirectory("ossock");
        var socket = Path.Combine(folder.Path, "engine.sock");
        using var engine = CannedEngine.Start(socket, status: null, body: "");

        var lookup = await new EngineSocketContainerLocator(socket, TimeSpan.FromMilliseconds(200)).FindAsync("openshell-cluster-x");

        Assert.Null(lookup.ContainerId);
        Assert.StartsWith($"no Docker engine answered at unix://{socket} (", lookup.Note, StringComparison.Ordinal);
    }

    [RequiresDocker]
    public async Task Agrees_with_the_Docker_DotNet_locator_on_a_real_engine()
    {
        var connection = DockerEngine.Connection();
        Assert.True(connection.IsLocal, $"this test needs the engine on a unix socket, not {connection.Host}");
        using var docker = connection.CreateClient();
        var name = $"ossock-{Guid.NewGuid():N}"[..20];
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = OfflineImages.Debian,
            Cmd = ["sleep", "300"],
        });
        try
        {
            var socketLocator = new EngineSocketContainerLocator(connection.Host.AbsolutePath);
            var dockerLocator = new DockerClusterContainerLocator(docker);

            var stopped = await socketLocator.FindAsync(name);
            Assert.Equal(await dockerLocator.FindAsync(name), stopped);
            Assert.Equal(created.ID, stopped.ContainerId);

            await docker.Containers.StartContainerAsync(name, new ContainerStartParameters());
            var running = await socketLocator.FindAsync(name);
            Assert.Equal(await dockerLocator.FindAsync(name), running);
            Assert.Null(running.Note);

            var missing = $"{name}-missing";
            Assert.Equal(await dockerLocator.FindAsync(missing), await socketLocator.FindAsync(missing));
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true });
        }
    }

    // A one-request HTTP server on a unix socket: answers with the status line and JSON body it was given (or never, for a
    // null status), and records the path asked for.
    private sealed class CannedEngine : IDisposable
    {
        private readonly Socket _listener;
        private readonly TaskCompletionSource<string> _path = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private CannedEngine(Socket listener) => _listener = listener;

        public Task<string> RequestedPath => _path.Task;

        public static CannedEngine Start(string socketPath, string? status, string body)
        {
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen();
            var engine = new CannedEngine(listener);
            _ = engine.ServeAsync(status, body);
            return engine;
        }

        private async Task ServeAsync(string? status, string body)
        {
            try
            {
                using var client = await _listener.AcceptAsync();
                var request = new StringBuilder();
                var buffer = new byte[4096];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await client.ReceiveAsync(buffer);
                    if (read == 0)
                    {
                        return;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                _path.TrySetResult(request.ToString().Split(' ')[1]);
                if (status is null)
                {
                    await Task.Delay(Timeout.Infinite).WaitAsync(TimeSpan.FromSeconds(10));
                }

                var bytes = Encoding.UTF8.GetBytes(body);
                var head = $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
                await client.SendAsync(Encoding.ASCII.GetBytes(head));
                await client.SendAsync(bytes);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or TimeoutException)
            {
                // The test is over.
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
