namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// The names and shell scripts of a binary's folder on the node. For an executable <c>N</c> in folder <c>D</c> (which
/// sandbox pods mount read-only, so every link is relative and stays inside <c>D</c>):
/// <list type="bullet">
/// <item><c>N</c>: a relative link to what runs, swapped by one rename(2) (or a plain file, as the cluster image bakes it);</item>
/// <item><c>.N-&lt;sha256&gt;</c>: a single-file build;</item>
/// <item><c>.N.files/&lt;sha256&gt;</c>: the file store of folder builds, each file once, by content;</item>
/// <item><c>.N.d/&lt;tree sha256&gt;/</c>: a folder build, hard links into the store, never changed once in place;</item>
/// <item><c>.N.&lt;kind&gt;.&lt;guid&gt;.tmp</c>: what a swap writes before its renames (removed by the next swap after a kill).</item>
/// </list>
/// The current and the previous build are kept; older ones, and store files no kept tree links, are removed.
/// </summary>
/// <param name="Directory">The folder on the node.</param>
/// <param name="Name">The executable's file name.</param>
internal sealed record NodeLayout(string Directory, string Name)
{
    // A glob for the Guid ("N" format) in temporary names.
    private static readonly string s_guidGlob = new('?', 32);
    private static readonly string s_shaGlob = new('?', 64);

    /// <summary>The file store's folder name.</summary>
    public string Store => $".{Name}.files";

    /// <summary>The folder of trees.</summary>
    public string Trees => $".{Name}.d";

    /// <summary>A single-file build's name.</summary>
    public string Version(string sha256) => $".{Name}-{sha256}";

    /// <summary>Where the link of tree <paramref name="treeSha256"/> points (relative to <see cref="Directory"/>).</summary>
    public string TreeExecutable(string treeSha256) => $"{Trees}/{treeSha256}/{Name}";

    /// <summary>A temporary name of kind <paramref name="kind"/> (<c>link</c>, <c>fingerprint</c>, <c>upload</c>, <c>tree</c>; empty for a single file).</summary>
    public string Temporary(string kind, Guid id) => kind.Length == 0 ? $".{Name}.{id:N}.tmp" : $".{Name}.{kind}.{id:N}.tmp";

    /// <summary>True for a path the scripts take unquoted: letters, digits, <c>. _ - +</c> and <c>/</c> between non-empty segments.</summary>
    public static bool IsSafePath(string path) =>
        path.Length > 0 && path.Split('/').All(s => s.Length > 0 && s is not "." and not ".." && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+'));

    /// <summary>
    /// Prints the tree sha256 (see <see cref="NodeTree"/>) of the folder the shell's current directory is, from
    /// <c>sha256sum</c> of its sorted files.
    /// </summary>
    public const string TreeHashCommand = "sha256sum $(find . -type f | sed 's|^\\./||' | LC_ALL=C sort) | sha256sum | cut -d' ' -f1";

    /// <summary>
    /// Prints the sha256 of what <c>N</c> runs: the tree's sha256 when it resolves into <see cref="Trees"/>, otherwise the
    /// file's. Fails when <c>N</c> is missing.
    /// </summary>
    public string ReadSha256Script() => string.Join('\n',
        "set -e",
        $"t=$(readlink -f '{Directory}/{Name}')",
        "[ -f \"$t\" ]",
        "d=${t%/*}",
        $"case \"${{d%/*}}\" in */{Trees}) cd \"$d\" && {TreeHashCommand} ;; *) sha256sum \"$t\" | cut -d' ' -f1 ;; esac");

    /// <summary>
    /// The swap to tree <paramref name="treeSha256"/>: the files uploaded into <c>upload</c> go into the store, the tree
    /// staged at <c>tree</c> is renamed into place unless it is there already, its sha256 is recomputed, and only when it
    /// matches is the link swapped, the fingerprint file written (or removed) and old builds dropped. Prints that sha256,
    /// then <c>store &lt;sha&gt;</c> and <c>tree &lt;sha&gt;</c> lines for what the node holds afterwards. Exits 3 when the
    /// tree is neither there nor staged; exits 4, with the mismatching tree removed and nothing swapped, when its content
    /// is not <paramref name="treeSha256"/> (a tree or store file changed on the node after it was placed).
    /// </summary>
    public string TreeSwapScript(string treeSha256, Guid id, string? fingerprintText)
    {
        var upload = Temporary("upload", id);
        var tree = Temporary("tree", id);
        var target = $"{Trees}/{treeSha256}";
        return Swap(id, fingerprintText,
            [
                $"mkdir -p '{Store}' '{Trees}'",
                $"if [ -d '{upload}' ]; then mv -f '{upload}'/* '{Store}/'; rmdir '{upload}'; fi",
                $"if [ -d '{target}' ]; then rm -rf '{tree}'; elif [ -d '{tree}' ]; then mv '{tree}' '{target}'; else echo 'tree {treeSha256} is neither on the node nor staged' >&2; exit 3; fi",
                $"actual=$(cd '{target}' && {TreeHashCommand})",
                $"if [ \"$actual\" != '{treeSha256}' ]; then rm -rf '{target}'; echo \"tree {treeSha256} on the node holds content of sha256 $actual: removed, nothing swapped\" >&2; exit 4; fi",
            ],
            TreeExecutable(treeSha256),
            [
                "echo \"$actual\"",
                $"for f in '{Store}'/*; do [ -f \"$f\" ] && echo \"store ${{f#{Store}/}}\"; done || true",
                $"for t in '{Trees}'/{s_shaGlob}; do [ -d \"$t\" ] && echo \"tree ${{t#{Trees}/}}\"; done || true",
            ]);
    }

    /// <summary>The swap to single file <paramref name="sha256"/> (uploaded as the <c>""</c> temporary when <paramref name="uploaded"/>). Prints the file's sha256 read through the link.</summary>
    public string FileSwapScript(string sha256, Guid id, bool uploaded, string? fingerprintText) =>
        Swap(id, fingerprintText,
            [uploaded ? $"mv -f '{Temporary("", id)}' '{Version(sha256)}'" : "true"],
            Version(sha256),
            [$"sha256sum '{Name}' | cut -d' ' -f1"]);

    /// <summary>Removes what a swap <paramref name="id"/> may have left when it failed before its renames.</summary>
    public string[] AbandonCommand(Guid id) =>
        ["rm", "-rf", .. new[] { "", "link", "fingerprint", "upload", "tree" }.Select(k => $"{Directory}/{Temporary(k, id)}")];

    private string Swap(Guid id, string? fingerprintText, IEnumerable<string> place, string linkTarget, IEnumerable<string> report)
    {
        var link = Temporary("link", id);
        var fingerprintTemporary = Temporary("fingerprint", id);
        var fingerprintFile = SupervisorDeployer.FingerprintFile(Name);
        return string.Join('\n',
        [
            "set -e",
            $"cd '{Directory}'",
            $"previous=$(readlink '{Name}' 2>/dev/null || true)",
            .. place,
            $"ln -s '{linkTarget}' '{link}'",
            $"mv -f '{link}' '{Name}'",
            fingerprintText is null
                ? $"rm -f '{fingerprintFile}'"
                : $"printf '{fingerprintText}' > '{fingerprintTemporary}' && mv -f '{fingerprintTemporary}' '{fingerprintFile}'",
            .. Prune(linkTarget),
            .. report,
        ]);
    }

    // Temporary names of a swap that was killed midway (this one's are renamed by now), then every build but the current
    // and the previous, then store files no tree links. Only this executable's names: '.N-' and exactly a sha256, so
    // another binary's '.N-tool-<sha>' stays.
    private string[] Prune(string current) =>
    [
        $"rm -rf '.{Name}.'{s_guidGlob}'.tmp' " + string.Join(' ', new[] { "link", "fingerprint", "upload", "tree" }.Select(k => $"'.{Name}.{k}.'{s_guidGlob}'.tmp'")),
        $"for f in '.{Name}-'{s_shaGlob}; do if [ -f \"$f\" ] && [ \"$f\" != '{current}' ] && [ \"$f\" != \"$previous\" ]; then rm -f \"$f\"; fi; done",
        $"for t in '{Trees}/'{s_shaGlob}; do if [ -d \"$t\" ] && [ \"$t/{Name}\" != '{current}' ] && [ \"$t/{Name}\" != \"$previous\" ]; then rm -rf \"$t\"; fi; done",
        $"if [ -d '{Store}' ]; then find '{Store}' -type f -links 1 -exec rm -f {{}} +; fi",
    ];
}
