using System.Runtime.InteropServices;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// Runs code on a new thread that joined a network namespace (setns): what it opens there (a netlink socket, a
/// listening socket) belongs to that namespace for good. For code that acts on "its own" namespace, as a daemon does.
/// </summary>
internal static class NamespaceThread
{
    private const int CloneNewNet = 0x40000000;

    public static T Run<T>(string networkNamespace, Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (var handle = File.OpenHandle($"/var/run/netns/{networkNamespace}"))
                {
                    if (SetNamespace(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                        throw new IOException($"setns into {networkNamespace} failed: errno {Marshal.GetLastPInvokeError()}");
                }
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException($"failed in network namespace {networkNamespace}: {failure.Message}", failure);
        return result;
    }

    // Blittable arguments only: no marshalling to generate.
    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNamespace(int fd, int nsType);
}
