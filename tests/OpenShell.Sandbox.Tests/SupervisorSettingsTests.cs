using OpenShell.Core;

namespace OpenShell.Sandbox.Tests;

public sealed class SupervisorSettingsTests
{
    private static readonly string[] s_command = ["true"];

    public static TheoryData<string[], Dictionary<string, string>, string> BadSettings => new()
    {
        { [], new() { [SupervisorEnvironment.GatewayEndpoint] = "http://gw:1", [SupervisorEnvironment.SandboxId] = "a" }, "no workload given" },
        { s_command, new() { [SupervisorEnvironment.SandboxId] = "a" }, "OPENSHELL_GATEWAY_ENDPOINT is not set" },
        { s_command, new() { [SupervisorEnvironment.GatewayEndpoint] = "gw:8080", [SupervisorEnvironment.SandboxId] = "a" }, "is not an http:// or https:// URL" },
        { s_command, new() { [SupervisorEnvironment.GatewayEndpoint] = "http://gw:1" }, "OPENSHELL_SANDBOX_ID is not set" },
        { s_command, new() { [SupervisorEnvironment.GatewayEndpoint] = "https://gw:1", [SupervisorEnvironment.SandboxId] = "a" }, "an https gateway endpoint needs OPENSHELL_TLS_CERT" },
        {
            s_command,
            new()
            {
                [SupervisorEnvironment.GatewayEndpoint] = "https://gw:1", [SupervisorEnvironment.SandboxId] = "a",
                [SupervisorEnvironment.ClientCertificate] = "/no/tls.crt", [SupervisorEnvironment.ClientKey] = "/no/tls.key", [SupervisorEnvironment.CertificateAuthority] = "/no/ca.crt",
            },
            "OPENSHELL_TLS_CERT=/no/tls.crt: no such file"
        },
        { s_command, new() { [SupervisorEnvironment.GatewayEndpoint] = "http://gw:1", [SupervisorEnvironment.SandboxId] = "a", [SupervisorEnvironment.RegistrationTimeout] = "soon" }, "is not a positive number of seconds" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Bad_settings_name_the_variable_and_the_fix(string[] command, Dictionary<string, string> environment, string message)
    {
        var error = Assert.Throws<SupervisorUsageException>(() => SupervisorSettings.Read(command, name => environment.GetValueOrDefault(name)));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plaintext_endpoint_needs_no_certificates()
    {
        var settings = SupervisorSettings.Read(["sleep", "1"], name => name switch
        {
            SupervisorEnvironment.GatewayEndpoint => "http://127.0.0.1:8080",
            SupervisorEnvironment.SandboxId => "box",
            SupervisorEnvironment.RegistrationTimeout => "2.5",
            _ => null,
        });

        Assert.Equal(new Uri("http://127.0.0.1:8080"), settings.GatewayEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(2.5), settings.RegistrationTimeout);
        Assert.Equal(["sleep", "1"], settings.Command);
    }
}
