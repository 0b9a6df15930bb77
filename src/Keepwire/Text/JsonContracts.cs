using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Keepwire.Text;

/// <summary>
/// The serializer's contract for a type under a set of options. Every JSON surface (control socket, state files, site
/// reports, hub sync) serializes through one, never the reflection-based overloads: the packaged keepwire is compiled
/// ahead of time, and its options resolve types from source-generated contexts only.
/// </summary>
public static class JsonContracts
{
    public static JsonTypeInfo<T> Contract<T>(this JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
