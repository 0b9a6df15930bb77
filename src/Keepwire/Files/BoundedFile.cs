namespace Keepwire.Files;

/// <summary>Why a file could not be read within its bounds.</summary>
public enum FileReadProblem
{
    Missing,

    /// <summary>A directory, FIFO, device or socket: nothing a daemon should block on or read without end.</summary>
    NotARegularFile,

    TooLarge,

    Unreadable,
}

/// <summary>A file that was not read; the message says why in words that fit after "cannot read FILE: ".</summary>
public sealed class FileReadException(FileReadProblem problem, string reason, Exception? inner = null) : Exception(reason, inner)
{
    public FileReadProblem Problem { get; } = problem;
}

/// <summary>
/// Reads files that come from outside the program (configuration, state) without trusting their size: the
/// file is looked at first, must be a regular file no larger than the bound, and is never read past the bound
/// plus one byte, so a file that grows while it is read is caught too.
/// </summary>
public static class BoundedFile
{
    /// <exception cref="FileReadException">Missing, not a regular file, larger than <paramref name="maxBytes"/>, or unreadable.</exception>
    public static byte[] ReadAtMost(string path, int maxBytes)
    {
        FileStatus? status;
        try
        {
            status = FileStatus.Of(path);
        }
        catch (IOException e)
        {
            throw new FileReadException(FileReadProblem.Unreadable, e.Message, e);
        }

        var found = status ?? throw new FileReadException(FileReadProblem.Missing, "the file does not exist");
        if (found.Kind != FileKind.Regular)
            throw new FileReadException(FileReadProblem.NotARegularFile, found.Kind == FileKind.Directory ? "it is a directory" : $"it is a {found.Kind.Describe()}, not a regular file");
        if (found.Size > maxBytes)
            throw TooLarge(found.Size, maxBytes);

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            return ReadUpTo(stream, (int)found.Size, maxBytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileReadException(FileReadProblem.Missing, "the file does not exist", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FileReadException(FileReadProblem.Unreadable, "permission denied", e);
        }
        catch (IOException e)
        {
            throw new FileReadException(FileReadProblem.Unreadable, e.Message, e);
        }
    }

    /// <summary>Reads to the end, or until one byte past the bound: a file that grew since it was looked at is caught here.</summary>
    private static byte[] ReadUpTo(FileStream stream, int expectedBytes, int maxBytes)
    {
        var buffer = new byte[Math.Min(expectedBytes, maxBytes) + 1];
        var length = 0;
        while (true)
        {
            var read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
                return buffer[..length];
            length += read;
            if (length > maxBytes)
                throw TooLarge(null, maxBytes);
            if (length == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxBytes + 1L));
        }
    }

    /// <param name="size">The file's size when known; null when reading stopped one byte past the bound.</param>
    private static FileReadException TooLarge(long? size, int maxBytes) =>
        new(FileReadProblem.TooLarge, size is { } known
            ? $"it is {known} bytes, more than the {maxBytes} allowed"
            : $"it is more than the {maxBytes} bytes allowed");
}
