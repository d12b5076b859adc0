using OpenShell.Server.Hosting;
using OpenShell.Server.Tests.Security;
using OpenShell.Testing;

namespace OpenShell.Server.Tests.Hosting;

/// <summary>Start-up errors: one line on stderr, exit code 2, no stack trace.</summary>
public sealed class GatewayProgramTests
{
    public static TheoryData<string[], string> StartupErrors => new()
    {
        { ["--tls-cert", "/missing/server.crt", "--tls-key", "/missing/server.key", "--client-ca", "/missing/ca.crt"], "--tls-cert /missing/server.crt: cannot read the file" },
        { ["--port", "eighty"], "--port 'eighty' is not a port number" },
        { ["--what"], "unknown argument '--what'" },
    };

    [Theory]
    [MemberData(nameof(StartupErrors))]
    public async Task Startup_error_is_one_clear_line_and_exit_code_2(string[] args, string message)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await GatewayProgram.RunAsync(args, _ => null, stdout, stderr);

        Assert.Equal(GatewayProgram.ConfigurationErrorExitCode, code);
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("openshell-server: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(message, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_does_not_match_is_named()
    {
        using var directory = new TempDirectory("gateway-bad-key");
        using var ca = new TestCertificateAuthority("ca", directory.Path);
        var server = ca.IssueServer();
        var other = ca.IssueClient("other");
        using var stderr = new StringWriter();

        var code = await GatewayProgram.RunAsync(
            ["--tls-cert", server.CertificatePath, "--tls-key", other.KeyPath, "--client-ca", ca.CertificatePath],
            _ => null,
            TextWriter.Null,
            stderr);

        Assert.Equal(2, code);
        Assert.Contains("not a PEM certificate and matching private key", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_exits_zero()
    {
        using var stdout = new StringWriter();
        Assert.Equal(0, await GatewayProgram.RunAsync(["--help"], _ => null, stdout, TextWriter.Null));
        Assert.Contains("usage: openshell-server", stdout.ToString(), StringComparison.Ordinal);
    }
}
