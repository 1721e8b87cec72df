package io.l0sparsify.api;


import org.junit.jupiter.api.Test;

/**
 * Bad optimizers, learning-rate schedules and augmentations ({@code training.optimizer}, {@code training.schedule},
 * {@code training.augmentation}) are refused with a 422 problem+json naming the field, and the job service is
 * never reached.
 */
class TrainingRecipeValidationWebTest extends JobControllerWebTest {

    @Test
    void anUnknownOptimizerOrScheduleIsRefusedNamingTheKnownOnes() throws Exception {
        assertValidationError(job("mlp", "{\"optimizer\": {\"type\": \"rmsprop\"}}"), "training.optimizer.type",
                "unknown type 'rmsprop'; known types: adam, sgd");
        assertValidationError(job("mlp", "{\"schedule\": {\"type\": \"linear\"}}"), "training.schedule.type",
                "known types: constant, step, cosine");
        assertValidationError(job("mlp", "{\"optimizer\": {\"momentum\": 0.9}}"), "training.optimizer.type",
                "is required");
    }

    @Test
    void aMomentumOutsideZeroToOneIsRefused() throws Exception {
        assertValidationError(job("mlp", "{\"optimizer\": {\"type\": \"sgd\", \"momentum\": 1}}"),
                "training.optimizer.momentum", "less than 1");
        assertValidationError(job("mlp", "{\"optimizer\": {\"type\": \"sgd\", \"momentum\": -0.1}}"),
                "training.optimizer.momentum", "at least 0");
        assertValidationError(job("mlp", "{\"optimizer\": {\"type\": \"adam\", \"momentum\": 0.9}}"),
                "training.optimizer.momentum", "unknown field");
    }

    @Test
    void nesterovWithoutMomentumIsRefused() throws Exception {
        assertValidationError(job("mlp", "{\"optimizer\": {\"type\": \"sgd\", \"momentum\": 0}}"),
                "training.optimizer.nesterov", "needs a positive momentum");
    }

    @Test
    void milestonesMustBeIncreasingFractionsOfTheEpochs() throws Exception {
        assertValidationError(job("mlp", "{\"schedule\": {\"type\": \"step\", \"milestones\": [0.5, 1]}}"),
                "training.schedule.milestones[1]", "less than 1");
        assertValidationError(job("mlp", "{\"schedule\": {\"type\": \"step\", \"milestones\": [0]}}"),
                "training.schedule.milestones[0]", "greater than 0");
        assertValidationError(job("mlp", "{\"schedule\": {\"type\": \"step\", \"milestones\": []}}"),
                "training.schedule.milestones", "at least 1 items");
        assertValidationError(job("mlp", "{\"schedule\": {\"type\": \"step\", \"milestones\": [0.6, 0.3]}}"),
                "training.schedule.milestones[1]", "greater than the milestone before it (0.6)");
    }

    @Test
    void aFactorOutsideZeroToOneIsRefused() throws Exception {
        assertValidationError(job("mlp", "{\"schedule\": {\"type\": \"step\", \"factor\": 0}}"),
                "training.schedule.factor", "greater than 0");
        assertValidationError(job("mlp", "{\"schedule\": {\"type\": \"step\", \"factor\": 1.5}}"),
                "training.schedule.factor", "at most 1");
    }

    @Test
    void augmentationOfAFeatureVectorIsRefused() throws Exception {
        assertValidationError(job("mlp", "{\"augmentation\": {}}"), "training.augmentation",
                "applies to images [C, H, W]; the model's input [784] is a feature vector");
    }

    @Test
    void aPaddingOutsideItsBoundsOrWiderThanTheImageIsRefused() throws Exception {
        assertValidationError(job("lenet5-caffe", "{\"augmentation\": {\"padding\": -1}}"),
                "training.augmentation.padding", "at least 0");
        assertValidationError(job("lenet5-caffe", "{\"augmentation\": {\"padding\": 65}}"),
                "training.augmentation.padding", "at most 64");
        assertValidationError(job("lenet5-caffe", "{\"augmentation\": {\"padding\": 30}}"),
                "training.augmentation.padding", "at most the image's height and width (28)");
        assertValidationError(job("lenet5-caffe", "{\"augmentation\": {\"padding\": 0, \"flip\": false}}"),
                "training.augmentation", "changes nothing");
        assertValidationError(job("lenet5-caffe", "{\"augmentation\": {\"rotate\": 10}}"),
                "training.augmentation.rotate", "unknown field");
    }

    private static String job(String preset, String training) {
        return "{\"model\": {\"preset\": \"" + preset + "\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": " + training + "}";
    }
}
