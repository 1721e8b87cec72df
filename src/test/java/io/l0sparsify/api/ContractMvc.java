package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.testing.TestKeys;
import jakarta.servlet.ServletContext;
import java.nio.charset.StandardCharsets;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.SmartRequestBuilder;

/**
 * MockMvc that checks every exchange against openapi.yaml: the response always, the request too when the
 * test says it is a valid one. A test cannot forget the check: it is the only way these tests call the API.
 * Requests carry the test suite's admin key ({@link TestKeys}) unless they set {@code Authorization} themselves
 * or the instance was made for another caller.
 */
public final class ContractMvc {

    private final MockMvc mvc;
    private final OpenApiContract contract = OpenApiContract.instance();
    /** The Authorization header sent when a request has none; null: none. */
    private final String authorization;

    public ContractMvc(MockMvc mvc) {
        this(mvc, TestKeys.adminBearer());
    }

    /** Requests as {@code authorization} ({@code Bearer KEY}), or without credentials when it is null. */
    public ContractMvc(MockMvc mvc, String authorization) {
        this.mvc = mvc;
        this.authorization = authorization;
    }

    /** The same MockMvc as another caller. */
    public ContractMvc as(String authorization) {
        return new ContractMvc(mvc, authorization);
    }

    /** A request the contract accepts; both it and the response are checked. */
    public MockHttpServletResponse valid(RequestBuilder request) throws Exception {
        MvcResult result = mvc.perform(authorized(request)).andReturn();
        OpenApiContract.Exchange exchange = exchange(result);
        assertThat(contract.requestViolations(exchange)).as("request against openapi.yaml").isEmpty();
        assertThat(contract.responseViolations(exchange)).as("response against openapi.yaml").isEmpty();
        return result.getResponse();
    }

    /** A request that may break the contract on purpose (bad input); the response is still checked. */
    public MockHttpServletResponse any(RequestBuilder request) throws Exception {
        MvcResult result = mvc.perform(authorized(request)).andReturn();
        assertThat(contract.responseViolations(exchange(result))).as("response against openapi.yaml").isEmpty();
        return result.getResponse();
    }

    private RequestBuilder authorized(RequestBuilder request) {
        return new SmartRequestBuilder() {
            @Override
            public MockHttpServletRequest buildRequest(ServletContext context) {
                MockHttpServletRequest built = request.buildRequest(context);
                if (authorization != null && built.getHeader(TestKeys.AUTHORIZATION) == null) {
                    built.addHeader(TestKeys.AUTHORIZATION, authorization);
                }
                return built;
            }

            @Override
            public MockHttpServletRequest postProcessRequest(MockHttpServletRequest built) {
                return request instanceof SmartRequestBuilder smart ? smart.postProcessRequest(built) : built;
            }
        };
    }

    private static OpenApiContract.Exchange exchange(MvcResult result) throws Exception {
        MockHttpServletRequest request = result.getRequest();
        MockHttpServletResponse response = result.getResponse();
        byte[] body = request.getContentAsByteArray();
        return new OpenApiContract.Exchange(request.getMethod(), request.getRequestURI(), request.getQueryString(),
                request.getContentType(), body == null ? null : new String(body, StandardCharsets.UTF_8),
                response.getStatus(), response.getContentType(), response::getHeader,
                response.getContentAsString(StandardCharsets.UTF_8));
    }
}
