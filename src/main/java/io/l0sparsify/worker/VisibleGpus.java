package io.l0sparsify.worker;

/** How many GPUs this machine's engine sees; a bean so that tests can pretend to have some. */
@FunctionalInterface
public interface VisibleGpus {

    int count();
}
