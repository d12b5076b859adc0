using System.Globalization;

namespace OpenShell.KubeSim.Hosting;

/// <summary>
/// Parses the standalone flags (<c>--port --kubeconfig --bind --manifests --tls-san</c>), the simulator's own
/// <c>--kubelet docker|none</c> and <c>--kubelet-network NAME</c> (both forms), and, when the first argument is
/// <c>server</c>, k3s's server flags: <c>--https-listen-port</c>, <c>--tls-san</c>, <c>--write-kubeconfig</c>/<c>-o</c>
/// are honoured, every other flag is ignored, and the defaults are k3s's (port 6443 on all interfaces,
/// /etc/rancher/k3s/k3s.yaml, /var/lib/rancher/k3s/server/manifests).
/// </summary>
internal static class SimulatorCommandLine
{
    public const string Usage =
        "usage: OpenShell.KubeSim [--port N] [--kubeconfig PATH] [--bind ADDRESS] [--manifests DIR] [--tls-san NAME]... [--kubelet docker|none] [--kubelet-network NAME]\n" +
        "       OpenShell.KubeSim server [k3s server flags: --https-listen-port N, --tls-san NAME, --write-kubeconfig PATH; others ignored] [--kubelet docker|none] [--kubelet-network NAME]";

    public const string K3sKubeconfig = "/etc/rancher/k3s/k3s.yaml";
    public const string K3sManifests = "/var/lib/rancher/k3s/server/manifests";
    public const string K3sHelm = "/bin/helm";

    /// <summary>True for k3s's <c>server [flags]</c> form.</summary>
    public static bool IsK3sServer(IReadOnlyList<string> args) => args.Count > 0 && args[0] == "server";

    public static KubeSimOptions Parse(IReadOnlyList<string> args)
    {
        var k3s = IsK3sServer(args);
        var options = new KubeSimOptions { Port = 6443 };
        if (k3s)
        {
            options.BindAddress = "0.0.0.0";
            options.KubeconfigPath = K3sKubeconfig;
            options.ManifestsDirectory = K3sManifests;
            // The k3s-sim image carries helm, so the bundled chart is really rendered.
            options.HelmBinary = File.Exists(K3sHelm) ? K3sHelm : null;
        }

        for (var i = k3s ? 1 : 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{arg} needs a value");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "--port" when !k3s:
                case "--https-listen-port" when k3s:
                    var text = Value();
                    options.Port = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                        ? port
                        : throw new ArgumentException($"{arg} \"{text}\" is not a port number (1-65535)");
                    break;
                case "--kubeconfig" when !k3s:
                case "--write-kubeconfig" or "-o" when k3s:
                    options.KubeconfigPath = Value();
                    break;
                case "--bind" when !k3s:
                case "--bind-address" when k3s:
                    options.BindAddress = Value();
                    break;
                case "--manifests" when !k3s:
                    options.ManifestsDirectory = Value();
                    break;
                case "--kubelet":
                    var mode = Value();
                    options.Kubelet.Mode = mode switch
                    {
                        "docker" => Kubelet.KubeletMode.Docker,
                        "none" => Kubelet.KubeletMode.None,
                        _ => throw new ArgumentException($"--kubelet \"{mode}\" is not a kubelet: use docker (pods run on the engine at /var/run/docker.sock) or none"),
                    };
                    break;
                case "--kubelet-network":
                    options.Kubelet.Network = Value();
                    break;
                case "--tls-san":
                    options.TlsSubjectAlternativeNames.Add(Value());
                    break;
                default:
                    if (!k3s)
                    {
                        throw new ArgumentException($"unknown argument \"{args[i]}\"");
                    }

                    break; // k3s accepts many flags the simulator has no use for.
            }
        }

        return options;
    }
}
