using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace OpenShell.DevLoop.Tests.Compiling;

/// <summary>
/// What an assembly does, to compare a warm compile with MSBuild's: its types, members, each method body's IL and its
/// metadata heaps. The debug directory is left out: it differs only by the compiler's own version, which the PDB records.
/// </summary>
internal static class AssemblyCode
{
    public static List<string> Of(byte[] image)
    {
        using var pe = new PEReader(new MemoryStream(image));
        var reader = pe.GetMetadataReader();
        var code = new List<string>();
        foreach (var handle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(handle);
            var typeName = $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";
            code.Add(typeName);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                var il = method.RelativeVirtualAddress == 0 ? "" : Convert.ToHexString(pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes() ?? []);
                code.Add($"{typeName}::{reader.GetString(method.Name)} {il}");
            }
        }

        // The string literals, names and signatures as stored (the GUID heap, which holds the MVID, is left out).
        var metadata = pe.GetMetadata().GetContent();
        foreach (var heap in new[] { HeapIndex.UserString, HeapIndex.String, HeapIndex.Blob })
        {
            code.Add($"{heap} {Convert.ToHexString(metadata.AsSpan(reader.GetHeapMetadataOffset(heap), reader.GetHeapSize(heap)))}");
        }

        return code;
    }
}
