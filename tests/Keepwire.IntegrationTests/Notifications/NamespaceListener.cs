using System.Net;
using System.Runtime.InteropServices;

namespace Keepwire.IntegrationTests.Notifications;

/// <summary>
/// Starts an <see cref="HttpListener"/> inside a network namespace: its listening socket is made on a thread
/// that joined the namespace (setns), so it belongs there for good, while the test serves it from any thread.
/// Lets a test run a receiver on the loopback of the lab's hub namespace, where only the hub can reach it.
/// </summary>
internal static class NamespaceListener
{
    private const int CloneNewNet = 0x40000000;

    public static HttpListener Start(string networkNamespace, int port)
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{networkNamespace}");
                if (SetNamespace(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                    throw new IOException($"setns into {networkNamespace} failed: errno {Marshal.GetLastPInvokeError()}");
                listener.Start();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException($"cannot listen on 127.0.0.1:{port} in {networkNamespace}", failure);
        return listener;
    }

    // Blittable arguments only: no marshalling to generate.
    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNamespace(int fd, int nsType);
}
