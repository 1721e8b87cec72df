package io.l0sparsify.l0;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of this process, the number that native (off-heap) leaks show up in. */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** VmRSS in MiB from /proc/self/status, or -1 where that file does not exist. */
    public static double rssMegabytes() {
        return megabytes("VmRSS:");
    }

    /** VmHWM (peak RSS) in MiB, or -1. */
    public static double peakRssMegabytes() {
        return megabytes("VmHWM:");
    }

    private static double megabytes(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Double.parseDouble(line.substring(key.length()).trim().split("\\s+")[0]) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc unreadable: report unknown
        }
        return -1;
    }
}
