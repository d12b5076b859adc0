using System.Text;

namespace OpenShell.KubeSim.Security;

/// <summary>Writes a kubeconfig in the shape k3s writes (cluster, user and context all named <c>default</c>).</summary>
internal static class KubeconfigWriter
{
    public static string Render(Uri server, string authorityPem, string token)
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(authorityPem));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority-data: {ca}
                server: {server.GetLeftPart(UriPartial.Authority)}
              name: default
            contexts:
            - context:
                cluster: default
                user: default
              name: default
            current-context: default
            preferences: {"{}"}
            users:
            - name: default
              user:
                token: {token}

            """;
    }

    /// <summary>Writes atomically (temp file + rename), readable by the owner only.</summary>
    public static void Write(string path, string content)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, full, overwrite: true);
    }
}
