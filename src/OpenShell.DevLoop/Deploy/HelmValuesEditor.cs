using OpenShell.DevLoop.Pki;
using YamlDotNet.RepresentationModel;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Edits the HelmChart's <c>valuesContent</c> YAML in place: the image (repository, digest, pull policy), the gRPC
/// endpoint, the TLS and SSH secret names, the chart checksum and (OpenShell's chart only) the dev start probe timing
/// are set; everything else (the host gateway IP, the node port, ...) is kept as the cluster rendered it. The same input always gives the same text.
/// </summary>
internal static class HelmValuesEditor
{
    /// <summary>The values text of OpenShell's HelmChart with <paramref name="values"/> applied.</summary>
    public static string Apply(string? valuesContent, GatewayValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Apply(valuesContent, values.ToChartValues(), HelmChartDeployer.Name);
    }

    /// <summary>The values text of the HelmChart <paramref name="release"/> with <paramref name="values"/> applied.</summary>
    public static string Apply(string? valuesContent, ChartValues values, string release)
    {
        ArgumentNullException.ThrowIfNull(values);
        var root = Parse(valuesContent, release);
        Set(root, ["chartChecksum"], values.ChartChecksum, quoted: true);
        foreach (var image in values.Images)
        {
            string[] key = image.ValuesKey.Split('.');
            Set(root, [.. key, "repository"], image.Repository);
            if (image.Digest is { } digest)
            {
                Set(root, [.. key, "digest"], digest, quoted: true);
            }

            Set(root, [.. key, "pullPolicy"], GatewayValues.PullPolicy);
        }

        Set(root, ["server", "grpcEndpoint"], GatewayValues.GrpcEndpoint);
        Set(root, ["tls", "serverSecretName"], ClusterSecretNames.ServerTls);
        Set(root, ["tls", "clientCaSecretName"], ClusterSecretNames.ServerClientCa);
        Set(root, ["tls", "clientSecretName"], ClusterSecretNames.ClientTls);
        Set(root, ["ssh", "handshakeSecretName"], ClusterSecretNames.SshHandshake);
        if (release == HelmChartDeployer.Name)
        {
            foreach (var (path, value) in GatewayValues.StartupProbe)
            {
                Set(root, path, value);
            }
        }

        return Save(root);
    }

    /// <summary>The scalar at <paramref name="path"/>, or null.</summary>
    public static string? Read(string? valuesContent, params string[] path)
    {
        YamlNode node = Parse(valuesContent);
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return null;
            }

            node = child;
        }

        return node is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;
    }

    private static YamlMappingNode Parse(string? valuesContent, string release = HelmChartDeployer.Name)
    {
        if (string.IsNullOrWhiteSpace(valuesContent))
        {
            return new YamlMappingNode();
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(valuesContent));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new DeployException(DeployStep.HelmUpgrade,
                $"The valuesContent of HelmChart kube-system/{release} is not valid YAML ({ex.Message}); fix it with 'kubectl -n kube-system edit helmchart {release}' or recreate the cluster.", ex);
        }

        return stream.Documents.Count == 0 ? new YamlMappingNode()
            : stream.Documents[0].RootNode as YamlMappingNode
              ?? throw new DeployException(DeployStep.HelmUpgrade, $"The valuesContent of HelmChart kube-system/{release} is not a YAML mapping; recreate the cluster.");
    }

    private static void Set(YamlMappingNode root, string[] path, string value, bool quoted = false)
    {
        var node = root;
        foreach (var key in path[..^1])
        {
            var name = new YamlScalarNode(key);
            if (!node.Children.TryGetValue(name, out var child) || child is not YamlMappingNode mapping)
            {
                mapping = new YamlMappingNode();
                node.Children[name] = mapping;
            }

            node = mapping;
        }

        node.Children[new YamlScalarNode(path[^1])] = new YamlScalarNode(value)
        {
            Style = quoted ? YamlDotNet.Core.ScalarStyle.DoubleQuoted : YamlDotNet.Core.ScalarStyle.Any,
        };
    }

    private static string Save(YamlMappingNode root)
    {
        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter { NewLine = "\n" };
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString().TrimEnd();
        // The emitter closes the document with "..."; a values file has no use for it.
        if (text.EndsWith("\n...", StringComparison.Ordinal))
        {
            text = text[..^4].TrimEnd();
        }

        return text + "\n";
    }
}
